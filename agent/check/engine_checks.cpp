// EngineVersion: the local engine answers, with an API this agent speaks. VersionGap: the managers' engines
// against it.

#include <charconv>
#include <memory>

#include "agent/check/check_support.hpp"
#include "agent/check/checks.hpp"
#include "common/engine_client.hpp"
#include "common/version.hpp"

namespace sb::check {

namespace {

int major_version(std::string_view v) {
    int n = -1;
    std::from_chars(v.data(), v.data() + v.size(), n);
    return n;
}

class EngineVersion final : public Checker {
  public:
    std::string_view name() const override { return "EngineVersion"; }
    Result run(const Facts& f) const override {
        if (f.local_error) {
            return problem(name(), Status::error,
                           "the local engine does not answer: " + f.local_error->describe(),
                           "start the docker service, or point --docker-host at the engine");
        }
        const auto& v = f.local_version;
        std::string seen = "Docker " + v.version + ", API " + v.api_version + " (oldest " +
                           v.min_api_version + "), " + v.os + "/" + v.arch;
        if (compare_api_versions(v.api_version, api_version_min) < 0) {
            return problem(
                name(), Status::error,
                seen + ": older than the API " + std::string(api_version_min) + " this agent needs",
                "upgrade Docker on this node");
        }
        return ok(name(), seen);
    }
};

class VersionGap final : public Checker {
  public:
    std::string_view name() const override { return "VersionGap"; }
    Result run(const Facts& f) const override {
        if (f.local_error) {
            return skipped(name(), "the local engine does not answer");
        }
        std::vector<std::string> gaps;
        std::vector<std::string> same;
        const int local_major = major_version(f.local_version.version);
        for (const auto& m : f.managers) {
            if (m.api_error) {
                continue;
            }
            const int manager_major = major_version(m.version.version);
            if (manager_major != local_major) {
                gaps.push_back(m.address + " runs Docker " + m.version.version);
            } else {
                same.push_back(m.address);
            }
        }
        if (gaps.empty() && same.empty()) {
            return skipped(name(), "no manager answered");
        }
        if (!gaps.empty()) {
            // Docker supports a swarm of one release; managers are upgraded first and workers follow.
            return problem(name(), Status::warning,
                           "this node runs Docker " + f.local_version.version + ", " + join_list(gaps),
                           "run one Docker release across the swarm (upgrade the managers first, then this "
                           "node)");
        }
        return ok(name(), "Docker " + f.local_version.version + " here, the same major release on " +
                              join_list(same));
    }
};

}  // namespace

std::unique_ptr<Checker> make_engine_version_check() {
    return std::make_unique<EngineVersion>();
}
std::unique_ptr<Checker> make_version_gap_check() {
    return std::make_unique<VersionGap>();
}

}  // namespace sb::check
