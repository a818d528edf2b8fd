#include "common/logging.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/secret.hpp"

namespace sb {

namespace {

// Redacts the payload before any output sees it, so no output can forget to.
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit RedactingSink(std::shared_ptr<spdlog::sinks::dist_sink_mt> next) : next_(std::move(next)) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy = msg;
        copy.payload = clean;
        next_->log(copy);
    }
    void flush_() override { next_->flush(); }

  private:
    std::shared_ptr<spdlog::sinks::dist_sink_mt> next_;
};

class JsonFormatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        nlohmann::json line;
        line["time"] = iso_time(msg.time);
        auto level = spdlog::level::to_string_view(msg.level);
        line["level"] = std::string(level.data(), level.size());
        line["phase"] = std::string(msg.logger_name.data(), msg.logger_name.size());
        line["msg"] = std::string(msg.payload.data(), msg.payload.size());
        // Replace invalid UTF-8 rather than throw from inside a logger.
        auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        text += '\n';
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }

  private:
    static std::string iso_time(spdlog::log_clock::time_point tp) {
        auto secs = std::chrono::time_point_cast<std::chrono::seconds>(tp);
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp - secs).count();
        std::time_t t = spdlog::log_clock::to_time_t(tp);
        std::tm tm = spdlog::details::os::gmtime(t);
        char buf[40];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        char out[48];
        std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
        return out;
    }
};

struct LogState {
    std::mutex mutex;
    LogFormat format = LogFormat::text;
    spdlog::level::level_enum level = spdlog::level::info;
    std::shared_ptr<spdlog::sinks::dist_sink_mt> outputs = std::make_shared<spdlog::sinks::dist_sink_mt>();
    std::shared_ptr<RedactingSink> front = std::make_shared<RedactingSink>(outputs);
    spdlog::sink_ptr console;
    spdlog::sink_ptr console_replacement;  // set_console_sink
    // Its own mutex: outputs read it while the sink chain's locks are held, which setup_logging takes
    // under `mutex`.
    std::mutex node_id_mutex;
    std::string node_id;
};

LogState& state() {
    static LogState s;
    return s;
}

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
    if (format == LogFormat::json) {
        return std::make_unique<JsonFormatter>();
    }
    return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l [%n] %v",
                                                       spdlog::pattern_time_type::utc);
}

void setup_logging(spdlog::level::level_enum level, LogFormat format, bool console) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.format = format;
    s.level = level;
    if (console && !s.console) {
        // stderr: stdout is reserved for command output such as `status --json`.
        s.console =
            s.console_replacement ? s.console_replacement : std::make_shared<spdlog::sinks::stderr_sink_mt>();
        s.outputs->add_sink(s.console);
    } else if (!console && s.console) {
        s.outputs->remove_sink(s.console);
        s.console.reset();
    }
    s.outputs->set_formatter(make_log_formatter(format));
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

void add_log_sink(spdlog::sink_ptr sink) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    sink->set_formatter(make_log_formatter(s.format));
    s.outputs->add_sink(std::move(sink));
}

void set_console_sink(spdlog::sink_ptr sink) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.console_replacement = std::move(sink);
    if (s.console) {
        s.outputs->remove_sink(s.console);
        s.console =
            s.console_replacement ? s.console_replacement : std::make_shared<spdlog::sinks::stderr_sink_mt>();
        s.console->set_formatter(make_log_formatter(s.format));
        s.outputs->add_sink(s.console);
    }
}

void set_log_node_id(std::string node_id) {
    auto& s = state();
    std::lock_guard lock(s.node_id_mutex);
    s.node_id = std::move(node_id);
}

std::string log_node_id() {
    auto& s = state();
    std::lock_guard lock(s.node_id_mutex);
    return s.node_id;
}

namespace {

// Sinks run on the thread that logs (no asynchronous logger), so a thread's fields reach its own lines only.
thread_local LogFieldList current_fields;

}  // namespace

LogFields::LogFields(LogFieldList fields) : previous_(std::exchange(current_fields, std::move(fields))) {}

LogFields::~LogFields() {
    current_fields = std::move(previous_);
}

const LogFieldList& log_fields() {
    return current_fields;
}

void remove_log_sink(const spdlog::sink_ptr& sink) {
    state().outputs->remove_sink(sink);
}

spdlog::logger& log(std::string_view phase) {
    auto& s = state();
    std::string name(phase);
    if (auto existing = spdlog::get(name)) {
        return *existing;
    }
    std::lock_guard lock(s.mutex);
    if (auto existing = spdlog::get(name)) {
        return *existing;
    }
    auto logger = std::make_shared<spdlog::logger>(name, s.front);
    logger->set_level(s.level);
    logger->flush_on(spdlog::level::trace);
    spdlog::register_logger(logger);
    return *logger;
}

}  // namespace sb
