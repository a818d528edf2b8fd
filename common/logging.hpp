#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/common.h>
#include <spdlog/logger.h>

namespace sb {

enum class LogFormat { text, json };

// Every logger shares one sink chain: redaction first, then the configured outputs.
// Text lines read `2026-11-28T12:00:00.123Z info [wait-manager] ...`; json lines are one object each:
// {"time":...,"level":...,"phase":...,"msg":...}.
// `console`: whether stderr is an output (tests turn it off and read their own sinks).
void setup_logging(spdlog::level::level_enum level, LogFormat format, bool console = true);

// Adds an output (a file, journald, the Windows Event Log, a test recorder). It receives redacted text and
// the format chosen in setup_logging.
void add_log_sink(spdlog::sink_ptr sink);
void remove_log_sink(const spdlog::sink_ptr& sink);

// Puts `sink` where stderr would be (the console output; nullptr: stderr again). For a service manager that
// reads stderr as its log (systemd's journal stream): it gets the lines natively instead.
void set_console_sink(spdlog::sink_ptr sink);

// This node's swarm id once known ("" before the first join): outputs with fields (the journal's SB_NODE_ID)
// add it to every line.
void set_log_node_id(std::string node_id);
std::string log_node_id();

// Fields of the lines this thread logs while a LogFields lives ({"SB_REAPED_NODE_ID", "abc"}): outputs with
// fields (the journal) add them to each line; the others show the message only, so it names the same things.
using LogFieldList = std::vector<std::pair<std::string, std::string>>;
class LogFields {
  public:
    explicit LogFields(LogFieldList fields);
    ~LogFields();
    LogFields(const LogFields&) = delete;
    LogFields& operator=(const LogFields&) = delete;

  private:
    LogFieldList previous_;
};
const LogFieldList& log_fields();

// The logger of one phase of the work ("preflight", "wait-manager", "join", ...). The phase appears in
// brackets in every line.
spdlog::logger& log(std::string_view phase);

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

}  // namespace sb
