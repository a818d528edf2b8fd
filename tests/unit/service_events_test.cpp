#include "agent/service/service_events.hpp"

#include "sb_doctest.hpp"

#include <spdlog/sinks/base_sink.h>
#include <mutex>
#include <string>
#include <vector>

#include "common/logging.hpp"

using namespace sb;

namespace {

// Keeps each formatted record as one string, as the event log keeps each as one event.
class EventRecorder final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    std::vector<std::string> events;

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        events.emplace_back(buf.data(), buf.size());
    }
    void flush_() override {}
};

}  // namespace

TEST_CASE("event log: warnings and errors of every phase, no progress of a wait, no debug") {
    using spdlog::level::level_enum;
    for (auto phase : {"preflight", "wait-manager", "verify", "join", "service", "watch"}) {
        CAPTURE(phase);
        CHECK(service::is_event(level_enum::warn, phase));
        CHECK(service::is_event(level_enum::err, phase));
        CHECK(service::is_event(level_enum::critical, phase));
        CHECK_FALSE(service::is_event(level_enum::debug, phase));
        CHECK_FALSE(service::is_event(level_enum::trace, phase));
        CHECK_FALSE(service::is_event(level_enum::off, phase));
    }
    for (auto phase : {"service", "join", "label", "prune", "reap", "leave", "membership", "watch"}) {
        CAPTURE(phase);
        CHECK(service::is_event(level_enum::info, phase));
    }
    for (auto phase : {"preflight", "wait-manager", "verify"}) {
        CAPTURE(phase);
        CHECK_FALSE(service::is_event(level_enum::info, phase));
    }
}

TEST_CASE("the event output gets redacted '[phase] message' records of events only, in any log format") {
    auto recorder = std::make_shared<EventRecorder>();
    auto events = service::event_filter_sink(recorder);
    add_log_sink(events);
    const std::string token =
        "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";

    log("service").info("swarm-bootstrap starting");
    log("wait-manager").info("no manager ready; attempt 3, next in 4s");
    log("preflight").warn("the local engine runs API 1.24");
    log("join").debug("request body");
    setup_logging(spdlog::level::trace, LogFormat::json, false);  // the other outputs switch to json lines
    log("join").info("done: joined with {}", token);
    setup_logging(spdlog::level::trace, LogFormat::text, false);
    log("watch").error("cannot confirm membership");
    remove_log_sink(events);
    events->flush();

    CHECK(recorder->events == std::vector<std::string>{"[service] swarm-bootstrap starting",
                                                       "[preflight] the local engine runs API 1.24",
                                                       "[join] done: joined with SWMTKN-<redacted>",
                                                       "[watch] cannot confirm membership"});
}
