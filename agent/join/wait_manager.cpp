// wait-manager: watch every manager's swarm port on a short period, ask a manager's API the moment its port
// opens (and on a short backoff while it is open but not ready), and ask every manager's API on the normal
// backoff too, so that a manager whose swarm port this node cannot reach still gets the right messages and
// exit codes. Every probe, connect and DNS lookup runs on its own; the first ready manager wins, and a slow,
// hanging or blackholed one never holds up a round. A manager that rejects us (TLS, 401/403) is out of the
// race; only when every manager has rejected us is that the answer (exit 4).

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

bool rejects_us(const ApiError& e) {
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
struct Resolved {
    std::string name;
    std::vector<std::string> addresses;
};
using Event = std::variant<ProbeDone, ConnectDone, Resolved>;

// What the loop knows about one manager API endpoint.
struct Manager {
    Manager(Endpoint e, std::string addr, Backoff b)
        : ep(std::move(e)), swarm_addr(std::move(addr)), while_open(std::move(b)) {}
    Endpoint ep;
    std::string swarm_addr;  // its host's swarm port
    Backoff while_open;      // API re-probes while the swarm port is open but the manager is not ready
    bool in_flight = false;
    bool asked = false;  // probed at least once in this wait
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

void run_task(const Services& s, std::function<void()> task) {
    if (s.spawn) {
        s.spawn(std::move(task));
    } else {
        task();
    }
}

// One wait for a manager: the loop in run(), each of its jobs in a method of its own.
class ManagerWait {
  public:
    explicit ManagerWait(JoinContext& ctx)
        : ctx_(ctx),
          services_(ctx.services),
          clock_(*ctx.services.clock),
          log_(sb::log("wait-manager")),
          inbox_(std::make_shared<Inbox<Event>>()),
          ports_(services_.port_watch, services_.random),
          // A manager whose port is open but that is not ready yet is usually in the middle of `swarm init`:
          // asking again too soon only slows it down when a herd asks. The first probe after the port opens
          // is immediate.
          open_policy_{2 * services_.port_watch.period, ctx.config.backoff_max, 2.0},
          starting_step_(BackoffPolicy{3 * services_.port_watch.period, 3 * services_.port_watch.period, 1.0},
                         services_.random),
          round_due_(clock_.now()) {}

    void run() {
        for (;;) {
            auto now = clock_.now();
            if (take_events(now)) {
                return;
            }
            if (now >= round_due_) {
                start_round(now);
            }
            watch_ports(now);
            if (join_with_token_file()) {
                return;
            }
            log_round(now);
            check_rejections();
            check_deadline();
            sleep();
        }
    }

  private:
    // What came back. True when a manager won.
    bool take_events(Clock::time_point now) {
        for (auto& event : inbox_->take()) {
            if (auto* done = std::get_if<ProbeDone>(&event)) {
                if (on_probe(*done, now)) {
                    return true;
                }
            } else if (auto* connect = std::get_if<ConnectDone>(&event)) {
                on_connect(*connect, now);
            } else {
                on_resolved(std::get<Resolved>(event));
            }
        }
        return false;
    }

    bool on_probe(ProbeDone& done, Clock::time_point now) {
        auto it = managers_.find(done.key);
        if (it == managers_.end()) {
            return false;
        }
        auto& m = it->second;
        m.in_flight = false;
        log_.debug("{} answered in {}: {}", m.ep.authority(),
                   format_duration(std::chrono::duration_cast<Duration>(now - m.probe_started)),
                   done.probe.ready ? "ready" : done.probe.error->describe());
        // A manager that took no join last time wins only once every manager has had that chance: one that
        // looks ready but cannot take a join must not win every round.
        const bool passed_over =
            ctx_.took_no_join.contains(m.ep.authority()) && ctx_.took_no_join.size() < current_.size();
        if (done.probe.ready && !passed_over) {
            adopt(done.probe);
            ctx_.swarm_ports_open = ports_.seen_open();
            return true;
        }
        m.last = done.probe.ready
                     ? ApiError{0, "ready, but took no join last time", ApiErrorKind::other, false}
                     : done.probe.error;
        if (rejects_us(*m.last)) {
            // Out of the race; the others may still take the join.
            ctx_.rejected[m.ep.url()] = m.last->describe();
            m.next_open_probe = Clock::time_point::max();
            log_.warn(
                "manager {} rejects us: {}; asking the other managers (check --tls-ca, --tls-cert and "
                "--tls-key)",
                m.ep.authority(), m.last->describe());
            return false;
        }
        if (ports_.is_open(m.swarm_addr)) {
            m.answered_open = true;
            if (done.probe.starting && m.starting_probes < max_starting_probes) {
                ++m.starting_probes;
                m.next_open_probe = now + starting_step_.next();
            } else {
                m.next_open_probe = now + m.while_open.next();
            }
        }
        return false;
    }

    void on_connect(const ConnectDone& c, Clock::time_point now) {
        bool opened = ports_.finished(c.addr, c.open, now);
        for (auto& [key, m] : managers_) {
            if (m.swarm_addr != c.addr) {
                continue;
            }
            if (opened) {
                log_.debug("swarm port {} is open; asking {} now", c.addr, m.ep.authority());
                m.while_open.reset();
                m.starting_probes = 0;
                m.next_open_probe = now;
            } else if (!c.open) {
                m.answered_open = false;
                m.next_open_probe = Clock::time_point::max();
            }
        }
    }

    // A name answered: its addresses join the list at once, and the new ones are asked now, not next round.
    void on_resolved(Resolved& r) {
        resolving_.erase(r.name);
        addresses_[r.name] = std::move(r.addresses);
        refresh_list();
        for (const auto& key : current_) {
            auto& m = managers_.at(key);
            if (!m.asked && !m.in_flight && !rejected(m)) {
                probe(m);
            }
        }
    }

    // A normal round: look the names up again, expand the list (names, ranges) and ask every manager's API.
    void start_round(Clock::time_point now) {
        ++attempt_;
        resolve_names(now);
        refresh_list();
        for (const auto& key : current_) {
            auto& m = managers_.at(key);
            if (!m.in_flight && !rejected(m)) {
                probe(m);
            }
        }
        round_due_ = now + ctx_.backoff.next();
        round_started_ = now;
        round_open_ = true;
    }

    // DNS lookups run apart, like the probes: a resolver that hangs cannot hold up the loop, and there is
    // never more than one lookup of a name outstanding. Until a name answers, its last answer stands.
    void resolve_names(Clock::time_point now) {
        for (const auto& spec : ctx_.managers) {
            if (spec.kind != ManagerSpec::Kind::dns_name || resolving_.contains(spec.host)) {
                continue;
            }
            resolving_[spec.host] = now;
            run_task(services_, [inbox = inbox_, resolve = services_.resolve, name = spec.host] {
                inbox->post(Resolved{name, resolve(name)});
            });
        }
    }

    // This round's endpoints, in order, from the addresses and the names' last answers.
    void refresh_list() {
        auto endpoints = expand_managers(ctx_.managers, ctx_.config.tls, [this](const std::string& name) {
            auto it = addresses_.find(name);
            return it == addresses_.end() ? std::vector<std::string>{} : it->second;
        });
        current_.clear();
        std::vector<std::string> addrs;
        for (const auto& ep : endpoints) {
            auto key = ep.url();
            if (std::find(current_.begin(), current_.end(), key) != current_.end()) {
                continue;
            }
            current_.push_back(key);
            auto it = managers_.find(key);
            if (it == managers_.end()) {
                it = managers_
                         .emplace(key, Manager(ep, join_host_port(ep.host, swarm_port),
                                               Backoff(open_policy_, services_.random)))
                         .first;
            }
            addrs.push_back(it->second.swarm_addr);
        }
        ports_.set_addresses(addrs);
    }

    // The swarm-port watch, and API probes of managers whose port is open.
    void watch_ports(Clock::time_point now) {
        for (const auto& addr : ports_.due(now)) {
            connect(addr);
        }
        for (const auto& key : current_) {
            auto& m = managers_.at(key);
            if (!m.in_flight && !rejected(m) && m.next_open_probe <= now && ports_.is_open(m.swarm_addr)) {
                probe(m);
            }
        }
    }

    // With a token file only a manager's swarm port is needed; labels then have to wait.
    bool join_with_token_file() {
        if (!ctx_.file_token) {
            return false;
        }
        ctx_.swarm_addrs.clear();
        for (const auto& addr : ports_.open_addresses()) {
            bool answered = std::any_of(current_.begin(), current_.end(), [&](const std::string& k) {
                const auto& m = managers_.at(k);
                return m.swarm_addr == addr && m.answered_open && !m.in_flight;
            });
            if (answered) {
                ctx_.swarm_addrs.push_back(addr);
            }
        }
        if (ctx_.swarm_addrs.empty()) {
            return false;
        }
        log_.warn(
            "no manager API answers ({}); joining with the token file through {} — the node will not be "
            "labelled until a manager API is reachable",
            reasons(), ctx_.swarm_addrs.front());
        ctx_.result.manager = ctx_.swarm_addrs.front();
        ctx_.swarm_ports_open = ports_.seen_open();
        return true;
    }

    // Once per round, when every probe of it has answered.
    void log_round(Clock::time_point now) {
        // A name this round looks up counts as a probe; one that has hung since an earlier round does not.
        bool pending = std::any_of(current_.begin(), current_.end(),
                                   [&](const std::string& k) { return managers_.at(k).in_flight; }) ||
                       std::any_of(resolving_.begin(), resolving_.end(),
                                   [&](const auto& r) { return r.second >= round_started_; });
        if (round_open_ && !pending) {
            round_open_ = false;
            log_.info("no manager ready ({}); {}", reasons(),
                      ctx_.progress(attempt_, until(round_due_, now)));
        }
    }

    // Every manager we know of rejected us, and no name is still being looked up: nothing is left to wait
    // for.
    void check_rejections() const {
        if (current_.empty() || !resolving_.empty()) {
            return;
        }
        bool all = std::all_of(current_.begin(), current_.end(),
                               [&](const std::string& k) { return rejected(managers_.at(k)); });
        if (all) {
            throw Failure(ExitCode::join_rejected, "every manager rejected us (" + reasons() +
                                                       "); check --tls-ca, --tls-cert and --tls-key");
        }
    }

    void check_deadline() const {
        if (ctx_.deadline.expired()) {
            throw Failure(ExitCode::manager_deadline,
                          "no manager answered as an active swarm manager within " +
                              format_duration(ctx_.config.timeout) + " (last: " + reasons() +
                              "); check the --manager addresses and that the swarm is initialised");
        }
    }

    // Until the next round, connect or re-probe falls due, or an answer arrives.
    void sleep() {
        auto wake = std::min(round_due_, ports_.next_due());
        for (const auto& key : current_) {
            const auto& m = managers_.at(key);
            if (!m.in_flight && !rejected(m) && ports_.is_open(m.swarm_addr)) {
                wake = std::min(wake, m.next_open_probe);
            }
        }
        auto step = std::min(until(wake, clock_.now()), ctx_.deadline.remaining());
        if (!inbox_->wait(clock_, step, services_.stop)) {
            throw Stopped{};
        }
    }

    void probe(Manager& m) {
        m.in_flight = true;
        m.asked = true;
        m.probe_started = clock_.now();
        ask_manager(services_.spawn, ctx_.shared_manager_client(m.ep), m.ep,
                    [inbox = inbox_, key = m.ep.url()](ManagerProbe p) {
                        inbox->post(ProbeDone{key, std::move(p)});
                    });
    }

    void connect(const std::string& addr) {
        auto colon = addr.rfind(':');
        std::string host = addr.substr(0, colon);
        if (!host.empty() && host.front() == '[') {
            host = host.substr(1, host.size() - 2);
        }
        run_task(services_, [inbox = inbox_, check = services_.probe_swarm_port, host, addr,
                             timeout = ports_.policy().connect_timeout] {
            inbox->post(ConnectDone{addr, static_cast<bool>(check(host, swarm_port, timeout))});
        });
    }

    bool rejected(const Manager& m) const { return ctx_.rejected.contains(m.ep.url()); }

    // "10.0.0.5:2375: connect: Connection refused; 10.0.0.6:2375: no answer within 3.0s"
    std::string reasons() const {
        std::string out;
        auto now = clock_.now();
        for (const auto& [name, since] : resolving_) {
            if (!addresses_.contains(name) || addresses_.at(name).empty()) {
                out += (out.empty() ? "" : "; ") + name + ": no DNS answer within " +
                       format_duration(std::chrono::duration_cast<Duration>(now - since));
            }
        }
        if (current_.empty() && resolving_.empty()) {
            out = "no manager address resolves yet";
        }
        for (const auto& key : current_) {
            const auto& m = managers_.at(key);
            std::string why = m.last ? m.last->describe() : "no answer yet";
            if (rejected(m)) {
                why = "rejected us: " + ctx_.rejected.at(key);
            } else if (m.in_flight) {
                // Still outstanding (a hanging manager, one without quorum): say how long it has been silent.
                why = "no answer within " +
                      format_duration(std::chrono::duration_cast<Duration>(now - m.probe_started)) +
                      (m.last ? " (before that: " + m.last->describe() + ")" : "");
            }
            out += (out.empty() ? "" : "; ") + m.ep.authority() + ": " + why;
        }
        return out;
    }

    void adopt(const ManagerProbe& p) {
        ctx_.manager = p.ready;
        ctx_.manager_endpoint = p.endpoint;
        ctx_.result.manager = p.endpoint.authority();
        ctx_.result.cluster_id = p.ready->info.swarm.cluster_id;
        if (!p.endpoint.tls && ctx_.warned_plain_tcp.insert(p.endpoint.authority()).second) {
            log_.warn(
                "talking to manager {} over plain TCP: the join token crosses the network unencrypted; "
                "configure TLS (--tls-ca, --tls-cert, --tls-key) to protect it",
                p.endpoint.authority());
        }
        log_.info("manager {} is ready: cluster {}, {} manager(s) listed", p.endpoint.authority(),
                  p.ready->info.swarm.cluster_id, p.ready->info.swarm.remote_managers.size());
    }

    JoinContext& ctx_;
    Services& services_;
    Clock& clock_;
    spdlog::logger& log_;
    std::shared_ptr<Inbox<Event>> inbox_;
    PortWatch ports_;
    BackoffPolicy open_policy_;
    Backoff starting_step_;

    std::map<std::string, Manager> managers_;                    // by Endpoint::url()
    std::vector<std::string> current_;                           // this round's endpoints, in order
    std::map<std::string, std::vector<std::string>> addresses_;  // a name's last answer
    std::map<std::string, Clock::time_point> resolving_;         // names being looked up, since when
    int attempt_ = 0;
    Clock::time_point round_due_;
    Clock::time_point round_started_{};
    bool round_open_ = false;  // the current round's outcome is not logged yet
};

}  // namespace

void wait_manager(JoinContext& ctx) {
    ManagerWait(ctx).run();
}

bool manager_failed(const ApiError& e) {
    switch (e.kind) {
        case ApiErrorKind::unreachable:
        case ApiErrorKind::no_leader:
        case ApiErrorKind::not_manager:
        case ApiErrorKind::tls:
        case ApiErrorKind::unauthorized:
            return true;
        default:
            return false;
    }
}

void fail_over(JoinContext& ctx, const ApiError& why) {
    sb::log("wait-manager")
        .info("manager {} failed: {}; asking every manager again", ctx.result.manager, why.describe());
    ctx.manager.reset();
    ctx.backoff.reset();
    wait_manager(ctx);
}

}  // namespace sb::phases
