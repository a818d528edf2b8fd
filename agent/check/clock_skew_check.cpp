// ClockSkew: this node's clock against each manager's, from the Date header of its /version answer. The
// header has whole seconds and the answer took a round trip, so the skew is known to within half the round
// trip plus half a second; only the part of it beyond that uncertainty counts.

#include <cstdlib>
#include <memory>

#include "agent/check/check_support.hpp"
#include "agent/check/checks.hpp"
#include "agent/check/gather.hpp"
#include "common/duration.hpp"

namespace sb::check {

namespace {

using std::chrono::milliseconds;

std::string describe_skew(milliseconds skew) {
    auto text = format_duration(Duration(std::llabs(skew.count())));
    return skew.count() >= 0 ? "this node is " + text + " behind" : "this node is " + text + " ahead";
}

class ClockSkew final : public Checker {
  public:
    std::string_view name() const override { return "ClockSkew"; }
    Result run(const Facts& f) const override {
        std::vector<std::string> seen;
        std::vector<std::string> unknown;
        milliseconds worst{0};
        std::string worst_manager;
        for (const auto& m : f.managers) {
            if (m.api_error) {
                continue;
            }
            auto date = parse_http_date(m.version.date);
            if (!date) {
                unknown.push_back(m.address + " sent no Date header (or one that is not an HTTP date: '" +
                                  m.version.date + "')");
                continue;
            }
            auto round_trip = std::chrono::duration_cast<milliseconds>(m.received - m.sent);
            auto middle = m.sent + round_trip / 2;
            auto skew = std::chrono::duration_cast<milliseconds>(*date + milliseconds(500) - middle);
            auto uncertainty = round_trip / 2 + milliseconds(500);
            auto beyond = std::llabs(skew.count()) - uncertainty.count();
            milliseconds counted{beyond > 0 ? (skew.count() > 0 ? beyond : -beyond) : 0};
            seen.push_back(m.address + " " + (counted.count() == 0 ? "in step" : describe_skew(counted)) +
                           " (±" + format_duration(Duration(uncertainty.count())) + ")");
            if (std::llabs(counted.count()) >= std::llabs(worst.count())) {
                worst = counted;
                worst_manager = m.address;
            }
        }
        if (seen.empty()) {
            return skipped(name(), unknown.empty() ? "no manager answered" : join_list(unknown, "; "));
        }
        const auto magnitude = milliseconds(std::llabs(worst.count()));
        const std::string fix =
            "synchronise this node's clock (and the managers') with NTP: timedatectl set-ntp true, or on "
            "Windows w32tm /resync";
        if (magnitude > clock_skew_error) {
            return problem(name(), Status::error,
                           describe_skew(worst) + " manager " + worst_manager + ": past the " +
                               format_duration(clock_skew_error) +
                               " that swarm certificates tolerate (the join would fail with \"x509: "
                               "certificate has expired or is not yet valid\")",
                           fix);
        }
        if (magnitude > clock_skew_warning) {
            return problem(name(), Status::warning,
                           describe_skew(worst) + " manager " + worst_manager + " (warned past " +
                               format_duration(clock_skew_warning) + ")",
                           fix);
        }
        return ok(name(), join_list(seen));
    }
};

}  // namespace

std::unique_ptr<Checker> make_clock_skew_check() {
    return std::make_unique<ClockSkew>();
}

}  // namespace sb::check
