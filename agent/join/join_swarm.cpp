#include <algorithm>
#include <charconv>
#include <optional>

#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

// How long a swarm port the watch saw accept is taken to be open (the watch looks again every 20 periods).
constexpr Duration swarm_port_seen_fresh{5000};

// Swarm addresses to join through, best first: the manager that answered (it is alive), then every other
// manager it lists. The engine only ever tries RemoteAddrs[0], so we walk this list ourselves.
std::vector<std::string> join_candidates(const JoinContext& ctx) {
    std::vector<std::string> out;
    auto add = [&](const std::string& addr) {
        if (!addr.empty() && std::find(out.begin(), out.end(), addr) == out.end()) {
            out.push_back(addr);
        }
    };
    if (ctx.manager) {
        const auto& s = ctx.manager->info.swarm;
        for (const auto& m : s.remote_managers) {
            if (m.node_id == s.node_id) {
                add(m.addr);
            }
        }
        for (const auto& m : s.remote_managers) {
            add(m.addr);
        }
    }
    for (const auto& a : ctx.swarm_addrs) {
        add(a);
    }
    return out;
}

// HOST:PORT from a manager's RemoteManagers (a peer's data: a missing or bad port is no address at all).
std::optional<std::pair<std::string, std::uint16_t>> split_addr(const std::string& addr) {
    auto colon = addr.rfind(':');
    std::string host = addr.substr(0, colon);
    if (!host.empty() && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (colon == std::string::npos) {
        return std::pair{host, std::uint16_t{2377}};
    }
    unsigned port = 0;
    const char* first = addr.data() + colon + 1;
    const char* last = addr.data() + addr.size();
    auto [end, ec] = std::from_chars(first, last, port);
    if (host.empty() || ec != std::errc() || end != last || port == 0 || port > 65535) {
        return std::nullopt;
    }
    return std::pair{host, static_cast<std::uint16_t>(port)};
}

Secret current_token(JoinContext& ctx) {
    if (ctx.file_token) {
        return *ctx.file_token;
    }
    const auto& sw = ctx.manager->swarm;
    return ctx.config.role == Role::manager ? sw.manager_token : sw.worker_token;
}

// Asks the manager for the token again, once: it may have been rotated since we fetched it.
bool refresh_token(JoinContext& ctx) {
    if (ctx.file_token || !ctx.manager) {
        return false;
    }
    auto swarm = ctx.manager->api->swarm();
    if (!swarm) {
        return false;
    }
    bool changed = !(current_token(ctx) ==
                     (ctx.config.role == Role::manager ? swarm->manager_token : swarm->worker_token));
    ctx.manager->swarm = *swarm;
    return changed;
}

}  // namespace

bool join_swarm(JoinContext& ctx) {
    auto& log = sb::log("join");
    const char* role = ctx.config.role == Role::manager ? "manager" : "worker";
    auto candidates = join_candidates(ctx);
    if (candidates.empty()) {
        log.warn("the manager lists no swarm addresses to join through");
        return false;
    }
    // A /swarm answer without JoinTokens (or with tokens that are not strings) is no manager's answer.
    if (current_token(ctx).empty()) {
        log.warn("manager {} answered GET /swarm without a {} join token; trying another manager",
                 ctx.result.manager, role);
        return false;
    }
    bool refreshed = false;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto& addr = candidates[i];
        auto split = split_addr(addr);
        if (!split) {
            log.info("the manager lists '{}', which is not HOST:PORT; trying the next manager", addr);
            continue;
        }
        auto [host, port] = *split;
        // An unreachable RemoteAddrs[0] costs 20 s and leaves the engine pending: check the port first,
        // unless the swarm-port watch has just seen it accept.
        auto seen = ctx.swarm_ports_open.find(addr);
        bool seen_recently = seen != ctx.swarm_ports_open.end() &&
                             ctx.services.clock->now() - seen->second <= swarm_port_seen_fresh;
        if (seen_recently) {
            log.debug("swarm port {} accepted a connection {} ago", addr,
                      format_duration(
                          std::chrono::duration_cast<Duration>(ctx.services.clock->now() - seen->second)));
        } else if (auto open = ctx.services.probe_swarm_port(host, port, Duration(3000)); !open) {
            log.info("swarm port {} not reachable: {}; trying the next manager", addr, open.error());
            continue;
        }
        if (ctx.config.dry_run) {
            log.info("dry run: would join as {} through {}", role, addr);
            ctx.result.manager = ctx.result.manager.empty() ? addr : ctx.result.manager;
            return true;
        }
        JoinRequest req;
        req.listen_addr = ctx.config.listen_addr;
        req.advertise_addr = ctx.config.advertise_addr;
        req.data_path_addr = ctx.config.data_path_addr;
        req.availability = ctx.config.availability;
        req.remote_addr = addr;
        req.token = current_token(ctx);
        log.info("joining as {} through {}", role, addr);
        auto joined = ctx.services.local->join(req);
        if (joined) {
            log.info("the engine accepted the join through {}", addr);
            return true;
        }
        const auto& err = joined.error();
        if (err.stopped) {
            throw Stopped{};  // the stop cut the join request short
        }
        switch (err.kind) {
            case ApiErrorKind::invalid_token:
                if (!refreshed && refresh_token(ctx)) {
                    refreshed = true;
                    log.info("the token was rejected and the manager has a new one; trying again");
                    --i;
                    continue;
                }
                throw Failure(
                    ExitCode::join_rejected,
                    "the swarm rejected the join token (" + err.describe() + "); " +
                        (ctx.file_token ? "write a current token (docker swarm join-token -q " +
                                              std::string(role) + ") into " + ctx.config.token_file.string()
                                        : std::string("check that the managers belong to one swarm")));
            case ApiErrorKind::ca_mismatch:
                throw Failure(ExitCode::join_rejected,
                              "the token belongs to a different swarm than the manager at " + addr + " (" +
                                  err.describe() + "); use a token and managers of the same swarm");
            case ApiErrorKind::tls:
            case ApiErrorKind::unauthorized:
                throw Failure(ExitCode::join_rejected,
                              "the local engine refused the join request: " + err.describe());
            case ApiErrorKind::already_in_swarm:
                // Someone else (a second agent, an operator) joined meanwhile: decide again from the facts.
                log.info("the engine says it is already part of a swarm; checking membership again");
                return check_membership(ctx) == Membership::member;
            case ApiErrorKind::join_in_background: {
                // The engine keeps trying in the background and stays pending until it leaves.
                log.warn(
                    "join through {} timed out ({}); leaving the pending state and trying the next manager",
                    addr, err.describe());
                auto left = ctx.services.local->leave(false);
                if (!left && left.error().kind != ApiErrorKind::not_in_swarm) {
                    log.warn("could not leave the pending state: {}", left.error().describe());
                }
                continue;
            }
            case ApiErrorKind::manager_unreachable:
            case ApiErrorKind::no_leader:
            case ApiErrorKind::unreachable:
                log.info("join through {} failed: {}; trying the next manager", addr, err.describe());
                continue;
            default:
                log.warn("join through {} failed: {}", addr, err.describe());
                continue;
        }
    }
    return false;
}

}  // namespace sb::phases
