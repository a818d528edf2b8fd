#include "agent/service/service_events.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <array>
#include <mutex>

namespace sb::service {

namespace {

class EventFilterSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit EventFilterSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {
        inner_->set_formatter(
            std::make_unique<spdlog::pattern_formatter>("[%n] %v", spdlog::pattern_time_type::utc, ""));
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (is_event(msg.level, std::string_view(msg.logger_name.data(), msg.logger_name.size()))) {
            inner_->log(msg);
        }
    }
    void flush_() override { inner_->flush(); }
    // The event log's own format stays, whatever setup_logging chose for the other outputs.
    void set_pattern_(const std::string& /*pattern*/) override {}
    void set_formatter_(std::unique_ptr<spdlog::formatter> /*formatter*/) override {}

  private:
    spdlog::sink_ptr inner_;
};

}  // namespace

bool is_event(spdlog::level::level_enum level, std::string_view phase) {
    if (level >= spdlog::level::warn) {
        return level != spdlog::level::off;
    }
    static constexpr std::array<std::string_view, 3> waiting_phases{"preflight", "wait-manager", "verify"};
    return level == spdlog::level::info &&
           std::find(waiting_phases.begin(), waiting_phases.end(), phase) == waiting_phases.end();
}

spdlog::sink_ptr event_filter_sink(spdlog::sink_ptr inner) {
    return std::make_shared<EventFilterSink>(std::move(inner));
}

}  // namespace sb::service
