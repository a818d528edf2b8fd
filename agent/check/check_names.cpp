#include "agent/check/check_names.hpp"

#include <array>
#include <cctype>

namespace sb::check {

namespace {

// Every check of every platform, in the order `check` runs them: a configuration file names the same checks
// on Linux and Windows. A unit test holds this list to the checkers' own names. Kept apart from the checkers
// so that validating the configuration needs none of them.
constexpr std::array<std::string_view, 13> names = {
    "EngineVersion", "VersionGap", "ManagerAPI",  "SwarmPort", "GossipPort", "ClockSkew", "DataPathPort",
    "PathMTU",       "Hostname",   "NodeAddress", "NodeReady", "NodeLabels", "Firewall",
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::optional<std::string> canonical_check_name(std::string_view name) {
    if (lower(name) == "all") {
        return std::string("all");
    }
    for (auto n : names) {
        if (lower(n) == lower(name)) {
            return std::string(n);
        }
    }
    return std::nullopt;
}

std::string check_names_text() {
    std::string out;
    for (auto n : names) {
        out += (out.empty() ? "" : ", ") + std::string(n);
    }
    return out;
}

}  // namespace sb::check
