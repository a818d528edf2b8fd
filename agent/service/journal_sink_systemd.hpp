#pragma once

// Linux: log lines straight into the systemd journal (sd_journal_sendv), with their priority and the
// agent's own fields, so that `journalctl -u swarm-bootstrap -p warning` and
// `journalctl SB_PHASE=wait-manager` work:
//   MESSAGE=[phase] text   PRIORITY=3 (error) / 4 (warn) / 6 (info) / 7 (debug)   SYSLOG_IDENTIFIER=...
//   SB_PHASE=wait-manager  SB_NODE_ID=<this node's swarm id, once known>
//   and the fields of a LogFields scope (the reaper's SB_REAPED_NODE_ID, SB_REAPED_HOSTNAME, SB_DOWN_SECONDS)
// The text arrives redacted (logging.cpp's front sink), so no token can reach the journal.

#include <string>

#include <spdlog/common.h>

namespace sb::service {

spdlog::sink_ptr make_journal_sink(std::string identifier);

// True when systemd connected this process's stderr to the journal (JOURNAL_STREAM names stderr's device
// and inode), i.e. it runs as a unit with the default StandardError=journal.
bool stderr_is_journal();

}  // namespace sb::service
