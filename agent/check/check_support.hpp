#pragma once

// Small helpers the checks share.

#include <string>
#include <vector>

#include "agent/check/checker.hpp"

namespace sb::check {

inline Result ok(std::string_view name, std::string message) {
    return {std::string(name), Status::ok, std::move(message), {}};
}
inline Result skipped(std::string_view name, std::string why) {
    return {std::string(name), Status::skipped, std::move(why), {}};
}
inline Result problem(std::string_view name, Status status, std::string message, std::string fix) {
    return {std::string(name), status, std::move(message), std::move(fix)};
}

inline std::string join_list(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string out;
    for (const auto& i : items) {
        out += (out.empty() ? "" : sep) + i;
    }
    return out;
}

}  // namespace sb::check
