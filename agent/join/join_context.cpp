#include "agent/join/join_context.hpp"

namespace sb {

std::string_view to_string(JoinOutcome outcome) {
    switch (outcome) {
        case JoinOutcome::joined:
            return "joined";
        case JoinOutcome::already_member:
            return "already-member";
        case JoinOutcome::rejoined:
            return "rejoined";
        case JoinOutcome::dry_run:
            return "dry-run";
    }
    return "joined";
}

JoinContext::JoinContext(const Config& c, Services& s)
    : config(c),
      services(s),
      deadline(*s.clock, c.timeout),
      backoff(BackoffPolicy{c.backoff_initial, c.backoff_max, 2.0}, s.random) {}

EngineApi& JoinContext::manager_client(const Endpoint& ep) {
    return *shared_manager_client(ep);
}

std::shared_ptr<EngineApi> JoinContext::shared_manager_client(const Endpoint& ep) {
    auto key = ep.url();
    auto it = clients.find(key);
    if (it == clients.end()) {
        it = clients.emplace(key, std::shared_ptr<EngineApi>(services.connect_manager(ep))).first;
    }
    return it->second;
}

bool JoinContext::pause(Duration step) {
    auto left = deadline.remaining();
    return services.clock->sleep_for(std::min(step, left), services.stop);
}

std::string JoinContext::progress(int attempt, Duration next) const {
    return "attempt " + std::to_string(attempt) + ", next in " + format_duration(next) + ", " +
           format_duration(deadline.remaining()) + " left";
}

}  // namespace sb
