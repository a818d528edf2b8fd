#include "agent/check/run_checks.hpp"

#include <algorithm>
#include <cctype>

#include "agent/check/checks.hpp"

namespace sb::check {

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::string_view to_string(Status s) {
    switch (s) {
        case Status::ok:
            return "ok";
        case Status::warning:
            return "warning";
        case Status::error:
            return "error";
        case Status::skipped:
            return "skipped";
    }
    return "?";
}

std::vector<std::unique_ptr<Checker>> all_checkers() {
    std::vector<std::unique_ptr<Checker>> out;
    out.push_back(make_engine_version_check());
    out.push_back(make_version_gap_check());
    out.push_back(make_manager_api_check());
    out.push_back(make_swarm_port_check());
    out.push_back(make_gossip_port_check());
    out.push_back(make_clock_skew_check());
    out.push_back(make_data_path_port_check());
    out.push_back(make_path_mtu_check());
    out.push_back(make_hostname_check());
    out.push_back(make_node_address_check());
    out.push_back(make_node_ready_check());
    out.push_back(make_node_labels_check());
    for (auto& c : platform_checkers()) {
        out.push_back(std::move(c));
    }
    return out;
}

int Report::count(Status s) const {
    return static_cast<int>(
        std::count_if(results.begin(), results.end(), [&](const Result& r) { return r.status == s; }));
}

std::vector<const Result*> Report::errors() const {
    std::vector<const Result*> out;
    for (const auto& r : results) {
        if (r.status == Status::error) {
            out.push_back(&r);
        }
    }
    return out;
}

Report run_checks(const Facts& facts, const std::vector<std::unique_ptr<Checker>>& checkers,
                  const std::set<std::string>& ignore) {
    Report report;
    for (const auto& c : checkers) {
        auto r = c->run(facts);
        r.name = std::string(c->name());
        if (r.status == Status::error && (ignore.contains("all") || ignore.contains(r.name))) {
            r.status = Status::warning;
            r.ignored = true;
        }
        report.results.push_back(std::move(r));
    }
    return report;
}

std::string format_line(const Result& r) {
    std::string line = "[" + upper(to_string(r.status)) + " " + r.name + "]: " + r.message;
    if (r.ignored) {
        line += " (an error, ignored by --ignore-preflight-errors)";
    }
    if (!r.fix.empty()) {
        line += "; fix: " + r.fix;
    }
    return line;
}

std::string to_text(const Report& report) {
    std::string out;
    for (const auto& r : report.results) {
        out += format_line(r) + "\n";
    }
    out += std::to_string(report.count(Status::error)) + " error(s), " +
           std::to_string(report.count(Status::warning)) + " warning(s), " +
           std::to_string(report.count(Status::skipped)) + " skipped\n";
    return out;
}

nlohmann::json to_json(const Report& report) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& r : report.results) {
        nlohmann::json j = {{"name", r.name}, {"status", to_string(r.status)}, {"message", r.message}};
        if (!r.fix.empty()) {
            j["fix"] = r.fix;
        }
        if (r.ignored) {
            j["ignored"] = true;
        }
        checks.push_back(std::move(j));
    }
    return {{"checks", checks},
            {"errors", report.count(Status::error)},
            {"warnings", report.count(Status::warning)},
            {"skipped", report.count(Status::skipped)}};
}

}  // namespace sb::check
