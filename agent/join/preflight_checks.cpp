// The join's check preflight: the checks of check/ that tell, before the join, that it would fail or that
// the node would carry no overlay traffic. They cost the ready manager two requests (/version for its Date
// and /nodes; its /swarm is already known) and run while the membership check runs.

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>

#include "agent/check/gather.hpp"
#include "agent/check/run_checks.hpp"
#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

struct PendingChecks {
    std::mutex mutex;
    std::condition_variable_any done_cv;
    bool done = false;
    check::Facts facts;
    Clock::time_point started{};
};

namespace {

// The checks that matter before a join. ManagerAPI and SwarmPort are what wait-manager and join-swarm already
// wait on; GossipPort opens on a manager a moment after `swarm init`, so it would race a waiting herd.
const std::set<std::string_view> preflight_names = {"VersionGap", "ClockSkew", "DataPathPort", "PathMTU",
                                                    "Hostname"};

}  // namespace

std::shared_ptr<PendingChecks> start_checks(JoinContext& ctx, const std::vector<std::string>& own_node_ids) {
    auto& services = ctx.services;
    if (!services.check_probes || ctx.checks_passed || !ctx.manager || !ctx.manager_endpoint) {
        return nullptr;
    }
    auto pending = std::make_shared<PendingChecks>();
    pending->started = services.clock->now();
    check::GatherInput input;
    input.local_version = ctx.local_version;
    input.local_info = ctx.local_info;
    input.prune_stale_nodes = ctx.config.prune_stale_nodes;
    input.labels = ctx.config.labels;
    input.own_node_ids.insert(own_node_ids.begin(), own_node_ids.end());
    auto client = ctx.shared_manager_client(*ctx.manager_endpoint);
    input.managers.push_back({*ctx.manager_endpoint, client.get(), ctx.manager->swarm});
    auto task = [pending, client, probes = services.check_probes, input = std::move(input)] {
        // The ready manager alone: the others are not needed for this join.
        check::Probes one = *probes;
        one.tcp_open = [](const std::string&, std::uint16_t, Duration) -> check::Probe<bool> {
            return sb::unexpected(std::string("not probed before a join"));
        };
        auto facts = check::gather(input, one);
        std::lock_guard lock(pending->mutex);
        pending->facts = std::move(facts);
        pending->done = true;
        pending->done_cv.notify_all();
    };
    if (services.spawn && services.check_probes->beside_other_work) {
        services.spawn(std::move(task));
    } else {
        task();
    }
    return pending;
}

void finish_checks(JoinContext& ctx, const std::shared_ptr<PendingChecks>& pending) {
    if (!pending) {
        return;
    }
    auto& log = sb::log("preflight");
    {
        // A probe may hang (a peer that never answers, a platform call): a stop still ends the wait, and the
        // join does not wait for the checks longer than their patience.
        std::unique_lock lock(pending->mutex);
        const Duration patience = ctx.services.check_patience;
        bool done =
            pending->done_cv.wait_for(lock, ctx.services.stop, patience, [&] { return pending->done; });
        if (ctx.services.stop.stop_requested()) {
            throw Stopped{};
        }
        if (!done) {
            log.warn(
                "the checks did not finish within {} (a probe hangs; `swarm-bootstrap check` shows which): "
                "joining without them",
                format_duration(patience));
            ctx.checks_passed = true;
            return;
        }
    }
    std::vector<std::unique_ptr<check::Checker>> checkers;
    for (auto& c : check::all_checkers()) {
        if (preflight_names.contains(c->name())) {
            checkers.push_back(std::move(c));
        }
    }
    auto report = check::run_checks(pending->facts, checkers, ctx.config.ignore_preflight_errors);
    log.debug(
        "checks done in {}",
        format_duration(std::chrono::duration_cast<Duration>(ctx.services.clock->now() - pending->started)));
    // Warnings once per process: `run` comes back here on every heal.
    static std::mutex warned_mutex;
    static std::set<std::string> warned;
    for (const auto& r : report.results) {
        if (r.status == check::Status::warning) {
            std::lock_guard lock(warned_mutex);
            if (warned.insert(r.name + "\n" + r.message).second) {
                log.warn("{}", check::format_line(r));
            }
        } else if (r.status != check::Status::error) {
            log.debug("{}", check::format_line(r));
        }
    }
    auto errors = report.errors();
    if (errors.empty()) {
        ctx.checks_passed = true;
        return;
    }
    std::string names;
    for (const auto* e : errors) {
        log.error("{}", check::format_line(*e));
        names += (names.empty() ? "" : ",") + e->name;
    }
    throw Failure(ExitCode::check_failed, "preflight check(s) " + names +
                                              " found an error (see above); fix it, "
                                              "or join anyway with --ignore-preflight-errors=" +
                                              names);
}

}  // namespace sb::phases
