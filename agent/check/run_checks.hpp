#pragma once

// Runs the checks over gathered facts and turns the results into lines, JSON and an exit code.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/check/checker.hpp"

namespace sb::check {

struct Report {
    std::vector<Result> results;
    int count(Status s) const;
    // The errors that no --ignore-preflight-errors covers.
    std::vector<const Result*> errors() const;
};

// `ignore`: canonical names or "all"; their errors become warnings marked `ignored`.
Report run_checks(const Facts& facts, const std::vector<std::unique_ptr<Checker>>& checkers,
                  const std::set<std::string>& ignore);

// "[ERROR ClockSkew]: this node is 2h behind manager ...; fix: ..." (kubeadm's style).
std::string format_line(const Result& r);
std::string to_text(const Report& report);
nlohmann::json to_json(const Report& report);

}  // namespace sb::check
