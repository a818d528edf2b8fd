// wait-manager: watch every manager's swarm port on a short period, ask a manager's API the moment its port
// opens (and on a short backoff while it is open but not ready), and ask every manager's API on the normal
// backoff too, so that a manager whose swarm port this node cannot reach still gets the right messages and
// exit codes. Every probe and connect runs on its own; the first ready manager wins, and a slow, hanging or
// blackholed one never holds up a round.

#include <algorithm>
#include <map>
#include <memory>
#include <variant>

#include "agent/join/inbox.hpp"
#include "agent/join/phases.hpp"
#include "agent/join/port_watch.hpp"
#include "agent/node/manager_probe.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

constexpr std::uint16_t swarm_port = 2377;

// While a manager says "being prepared" (its swarm port opens during `swarm init`, up to a couple of seconds
// before the tokens exist), it is asked again every [1.5, 3] watch periods rather than on a growing backoff:
// the tokens then reach a waiting herd within a second of existing. 200 agents cost the manager about 360
// GET /swarm a second (1.2 ms of CPU each) for that second or two. A manager that stays "being prepared"
// (it also says so when it cannot reach its cluster) falls back to the growing backoff after this many.
constexpr int max_starting_probes = 8;

bool fatal(const ApiError& e) {
    return e.kind == ApiErrorKind::tls || e.kind == ApiErrorKind::unauthorized;
}

struct ProbeDone {
    std::string key;  // Endpoint::url()
    ManagerProbe probe;
};
struct ConnectDone {
    std::string addr;  // host:2377
    bool open = false;
};
using Event = std::variant<ProbeDone, ConnectDone>;

// What the loop knows about one manager API endpoint.
struct Manager {
    Manager(Endpoint e, std::string addr, Backoff b)
        : ep(std::move(e)), swarm_addr(std::move(addr)), while_open(std::move(b)) {}
    Endpoint ep;
    std::string swarm_addr;  // its host's swarm port
    Backoff while_open;      // API re-probes while the swarm port is open but the manager is not ready
    bool in_flight = false;
    Clock::time_point probe_started{};
    int starting_probes = 0;     // re-probes on the short period while it said "being prepared"
    bool answered_open = false;  // an API answer arrived while its swarm port was open (token-file mode)
    std::optional<ApiError> last;
    Clock::time_point next_open_probe = Clock::time_point::max();
};

Duration until(Clock::time_point when, Clock::time_point now) {
    if (when <= now) {
        return Duration(0);
    }
    if (when == Clock::time_point::max()) {
        return Duration::max();
    }
    return std::chrono::duration_cast<Duration>(when - now) + Duration(1);
}

void run_task(Services& s, std::function<void()> task) {
    if (s.spawn) {
        s.spawn(std::move(task));
    } else {
        task();
    }
}

}  // namespace

void wait_manager(JoinContext& ctx) {
    auto& log = sb::log("wait-manager");
    auto& services = ctx.services;
    auto& clock = *services.clock;
    auto inbox = std::make_shared<Inbox<Event>>();
    PortWatch ports(services.port_watch, services.random);
    // A manager whose port is open but that is not ready yet is usually in the middle of `swarm init`: asking
    // again too soon only slows it down when a herd asks. The first probe after the port opens is immediate.
    const BackoffPolicy open_policy{2 * services.port_watch.period, ctx.config.backoff_max, 2.0};
    Backoff starting_step(BackoffPolicy{3 * services.port_watch.period, 3 * services.port_watch.period, 1.0},
                          services.random);

    std::map<std::string, Manager> managers;  // by Endpoint::url()
    std::vector<std::string> current;         // this round's endpoints, in order
    int attempt = 0;
    bool resolved_none = false;
    auto round_due = clock.now();
    Duration round_step{0};
    bool round_open = false;  // the current round's outcome is not logged yet

    auto probe = [&](Manager& m) {
        m.in_flight = true;
        m.probe_started = clock.now();
        auto api = ctx.shared_manager_client(m.ep);
        run_task(services, [inbox, api, ep = m.ep] {
            inbox->post(ProbeDone{ep.url(), probe_manager(*api, ep)});
        });
    };
    auto connect = [&](const std::string& addr) {
        auto colon = addr.rfind(':');
        std::string host = addr.substr(0, colon);
        if (!host.empty() && host.front() == '[') {
            host = host.substr(1, host.size() - 2);
        }
        auto check = services.probe_swarm_port;
        run_task(services, [inbox, check, host, addr, timeout = ports.policy().connect_timeout] {
            inbox->post(ConnectDone{addr, static_cast<bool>(check(host, swarm_port, timeout))});
        });
    };
    auto reasons = [&] {
        std::string out = resolved_none ? "no manager address resolves yet" : "";
        for (const auto& key : current) {
            const auto& m = managers.at(key);
            std::string why = m.last ? m.last->describe() : "no answer yet";
            if (m.in_flight) {
                // Still outstanding (a hanging manager, one without quorum): say how long it has been silent.
                why = "no answer within " +
                      format_duration(std::chrono::duration_cast<Duration>(clock.now() - m.probe_started)) +
                      (m.last ? " (before that: " + m.last->describe() + ")" : "");
            }
            out += (out.empty() ? "" : "; ") + m.ep.authority() + ": " + why;
        }
        return out;
    };
    auto adopt = [&](const ManagerProbe& p) {
        ctx.manager = p.ready;
        ctx.manager_endpoint = p.endpoint;
        ctx.result.manager = p.endpoint.authority();
        ctx.result.cluster_id = p.ready->info.swarm.cluster_id;
        if (!p.endpoint.tls && ctx.warned_plain_tcp.insert(p.endpoint.authority()).second) {
            log.warn(
                "talking to manager {} over plain TCP: the join token crosses the network unencrypted; "
                "configure TLS (--tls-ca, --tls-cert, --tls-key) to protect it",
                p.endpoint.authority());
        }
        log.info("manager {} is ready: cluster {}, {} manager(s) listed", p.endpoint.authority(),
                 p.ready->info.swarm.cluster_id, p.ready->info.swarm.remote_managers.size());
    };

    for (;;) {
        auto now = clock.now();

        // What came back.
        for (auto& event : inbox->take()) {
            if (auto* done = std::get_if<ProbeDone>(&event)) {
                auto it = managers.find(done->key);
                if (it == managers.end()) {
                    continue;
                }
                auto& m = it->second;
                m.in_flight = false;
                log.debug("{} answered in {}: {}", m.ep.authority(),
                          format_duration(std::chrono::duration_cast<Duration>(now - m.probe_started)),
                          done->probe.ready ? "ready" : done->probe.error->describe());
                // A manager that took no join last time wins only once every manager has had that chance:
                // one that looks ready but cannot take a join must not win every round.
                const bool passed_over =
                    ctx.took_no_join.contains(m.ep.authority()) && ctx.took_no_join.size() < current.size();
                if (done->probe.ready && !passed_over) {
                    adopt(done->probe);
                    ctx.swarm_ports_open = ports.seen_open();
                    return;
                }
                m.last = done->probe.ready
                             ? ApiError{0, "ready, but took no join last time", ApiErrorKind::other, false}
                             : done->probe.error;
                if (fatal(*m.last)) {
                    throw Failure(ExitCode::join_rejected,
                                  "manager " + m.ep.authority() + " refused the connection: " +
                                      m.last->describe() + "; check --tls-ca, --tls-cert and --tls-key");
                }
                if (ports.is_open(m.swarm_addr)) {
                    m.answered_open = true;
                    if (done->probe.starting && m.starting_probes < max_starting_probes) {
                        ++m.starting_probes;
                        m.next_open_probe = now + starting_step.next();
                    } else {
                        m.next_open_probe = now + m.while_open.next();
                    }
                }
            } else {
                const auto& c = std::get<ConnectDone>(event);
                bool opened = ports.finished(c.addr, c.open, now);
                for (auto& [key, m] : managers) {
                    if (m.swarm_addr != c.addr) {
                        continue;
                    }
                    if (opened) {
                        log.debug("swarm port {} is open; asking {} now", c.addr, m.ep.authority());
                        m.while_open.reset();
                        m.starting_probes = 0;
                        m.next_open_probe = now;
                    } else if (!c.open) {
                        m.answered_open = false;
                        m.next_open_probe = Clock::time_point::max();
                    }
                }
            }
        }

        // A normal round: expand the list again (DNS, ranges) and ask every manager's API.
        if (now >= round_due) {
            ++attempt;
            auto endpoints = expand_managers(ctx.managers, ctx.config.tls, services.resolve);
            resolved_none = endpoints.empty();
            current.clear();
            std::vector<std::string> addrs;
            for (const auto& ep : endpoints) {
                auto key = ep.url();
                if (std::find(current.begin(), current.end(), key) != current.end()) {
                    continue;
                }
                current.push_back(key);
                auto it = managers.find(key);
                if (it == managers.end()) {
                    it = managers
                             .emplace(key, Manager(ep, join_host_port(ep.host, swarm_port),
                                                   Backoff(open_policy, services.random)))
                             .first;
                }
                addrs.push_back(it->second.swarm_addr);
            }
            ports.set_addresses(addrs);
            for (const auto& key : current) {
                auto& m = managers.at(key);
                if (!m.in_flight) {
                    probe(m);
                }
            }
            round_step = ctx.backoff.next();
            round_due = now + round_step;
            round_open = true;
        }

        // The swarm-port watch, and API probes of managers whose port is open.
        for (const auto& addr : ports.due(now)) {
            connect(addr);
        }
        for (const auto& key : current) {
            auto& m = managers.at(key);
            if (!m.in_flight && m.next_open_probe <= now && ports.is_open(m.swarm_addr)) {
                probe(m);
            }
        }

        bool pending = std::any_of(current.begin(), current.end(),
                                   [&](const std::string& k) { return managers.at(k).in_flight; });

        // With a token file only a manager's swarm port is needed; labels then have to wait.
        if (ctx.file_token) {
            ctx.swarm_addrs.clear();
            for (const auto& addr : ports.open_addresses()) {
                bool answered = std::any_of(current.begin(), current.end(), [&](const std::string& k) {
                    const auto& m = managers.at(k);
                    return m.swarm_addr == addr && m.answered_open && !m.in_flight;
                });
                if (answered) {
                    ctx.swarm_addrs.push_back(addr);
                }
            }
            if (!ctx.swarm_addrs.empty()) {
                log.warn(
                    "no manager API answers ({}); joining with the token file through {} — the node will "
                    "not be labelled until a manager API is reachable",
                    reasons(), ctx.swarm_addrs.front());
                ctx.result.manager = ctx.swarm_addrs.front();
                ctx.swarm_ports_open = ports.seen_open();
                return;
            }
        }

        if (round_open && !pending) {
            round_open = false;
            log.info("no manager ready ({}); {}", reasons(), ctx.progress(attempt, until(round_due, now)));
        }
        if (ctx.deadline.expired()) {
            throw Failure(ExitCode::manager_deadline,
                          "no manager answered as an active swarm manager within " +
                              format_duration(ctx.config.timeout) + " (last: " + reasons() +
                              "); check the --manager addresses and that the swarm is initialised");
        }

        auto wake = std::min(round_due, ports.next_due());
        for (const auto& key : current) {
            const auto& m = managers.at(key);
            if (!m.in_flight && ports.is_open(m.swarm_addr)) {
                wake = std::min(wake, m.next_open_probe);
            }
        }
        auto step = std::min(until(wake, clock.now()), ctx.deadline.remaining());
        if (!inbox->wait(clock, step, services.stop)) {
            throw Stopped{};
        }
    }
}

}  // namespace sb::phases
