#include "agent/service/journal_sink_systemd.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "common/logging.hpp"

namespace sb::service {

namespace {

int priority_of(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::critical:
            return LOG_CRIT;
        case spdlog::level::err:
            return LOG_ERR;
        case spdlog::level::warn:
            return LOG_WARNING;
        case spdlog::level::info:
            return LOG_INFO;
        default:
            return LOG_DEBUG;
    }
}

class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit JournalSink(std::string identifier)
        : identifier_("SYSLOG_IDENTIFIER=" + std::move(identifier)) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string_view phase(msg.logger_name.data(), msg.logger_name.size());
        std::string_view text(msg.payload.data(), msg.payload.size());
        std::string message = "MESSAGE=";
        if (!phase.empty()) {
            message.append("[").append(phase).append("] ");
        }
        message.append(text);
        std::string priority = "PRIORITY=" + std::to_string(priority_of(msg.level));
        std::string phase_field = "SB_PHASE=" + std::string(phase);
        std::string node_field;
        if (auto node = log_node_id(); !node.empty()) {
            node_field = "SB_NODE_ID=" + node;
        }
        std::vector<std::string> extra;
        for (const auto& [name, value] : log_fields()) {
            extra.push_back(name + "=" + value);
        }
        std::vector<iovec> fields;
        auto add = [&fields](const std::string& f) {
            if (!f.empty() && f.back() != '=') {
                fields.push_back(iovec{const_cast<char*>(f.data()), f.size()});
            }
        };
        for (const std::string* f : {&message, &priority, &identifier_, &phase_field, &node_field}) {
            add(*f);
        }
        for (const auto& f : extra) {
            add(f);
        }
        // A journal that is gone (journald restarting) must not stop the agent: the line is lost, nothing
        // else.
        (void)sd_journal_sendv(fields.data(), static_cast<int>(fields.size()));
    }
    void flush_() override {}

  private:
    std::string identifier_;
};

}  // namespace

spdlog::sink_ptr make_journal_sink(std::string identifier) {
    return std::make_shared<JournalSink>(std::move(identifier));
}

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) {
        return false;
    }
    unsigned long long dev = 0;
    unsigned long long ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) {
        return false;
    }
    struct stat st {};
    if (fstat(2, &st) != 0) {
        return false;
    }
    return static_cast<unsigned long long>(st.st_dev) == dev &&
           static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace sb::service
