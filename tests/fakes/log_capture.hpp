#pragma once

#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>

#include "common/logging.hpp"

namespace sb::test {

// Records every log line (after redaction, as outputs see them) while it lives.
class LogCapture {
  public:
    LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) { add_log_sink(sink_); }
    ~LogCapture() { remove_log_sink(sink_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::string text() {
        sink_->flush();
        return stream_.str();
    }
    bool contains(const std::string& needle) { return text().find(needle) != std::string::npos; }

  private:
    std::ostringstream stream_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

}  // namespace sb::test
