// Durations (--timeout 1m30s) and labels (--label k=v, SWARM_BOOTSTRAP_LABELS=k=v,k=v, and the platform
// labels derived from an engine's /info).
//
// Input: byte 0 picks the parser; the rest is its text.

#include <cstring>
#include <optional>
#include <string>

#include "agent/config/config.hpp"
#include "agent/node/node_labels.hpp"
#include "common/duration.hpp"
#include "common/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

void fuzz_duration(std::string_view text) {
    auto d = sb::parse_duration(text);
    if (d) {
        sb::fuzz::check(d->count() >= 0 && d->count() <= 1'000'000'000'000);
        sb::fuzz::check(!sb::format_duration(*d).empty());
    }
}

// Labels as the environment gives them: one value, split on commas, each KEY=VALUE, then validated.
void fuzz_labels(std::string_view text) {
    std::string value(text);
    auto getenv = [&value](const std::string& name) -> std::optional<std::string> {
        if (name == "SWARM_BOOTSTRAP_LABELS") {
            return value;
        }
        return std::nullopt;
    };
    try {
        auto layer = sb::read_config_environment(getenv);
        auto config = sb::build_config({layer}, getenv);
        for (const auto& [key, label] : config.labels) {
            sb::fuzz::check(!key.empty());
        }
    } catch (const sb::Failure& f) {
        sb::fuzz::check(f.code() == sb::ExitCode::usage);
    }
}

// The os, arch, os.version and os.build labels, from /info and /version fields separated by newlines.
void fuzz_platform_labels(std::string_view text) {
    std::string fields[5];
    for (auto& field : fields) {
        auto end = text.find('\n');
        field = std::string(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    sb::EngineInfo info;
    info.os_type = fields[0];
    info.operating_system = fields[1];
    info.os_version = fields[2];
    info.kernel_version = fields[3];
    info.architecture = fields[4];
    sb::VersionInfo version;
    for (const auto& os : {std::string(), std::string("windows")}) {
        version.os = os;
        auto labels = sb::platform_labels(info, version);
        auto build = sb::windows_build(info);
        for (char c : build) {
            sb::fuzz::check(c >= '0' && c <= '9');
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sb::fuzz::Input input(data, size);
    switch (input.byte() % 4) {
        case 0:
            fuzz_duration(input.rest());
            break;
        case 1:
            fuzz_labels(input.rest());
            break;
        case 2:
            fuzz_platform_labels(input.rest());
            break;
        default:
            // Any number of milliseconds, negative or huge, formats without overflow.
            if (input.rest().size() >= sizeof(std::int64_t)) {
                std::int64_t ms = 0;
                std::memcpy(&ms, input.rest().data(), sizeof ms);
                sb::fuzz::check(!sb::format_duration(sb::Duration(ms)).empty());
            }
            break;
    }
    return 0;
}
