// Linux: `run` is a Type=notify systemd unit. Readiness and watchdog go through sd_notify; journald gets the
// service's log lines with their priority and fields (journal_sink_systemd.cpp).

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <filesystem>

#include "agent/service/journal_sink_systemd.hpp"
#include "agent/service/service_host.hpp"
#include "common/logging.hpp"

namespace sb::service {

namespace {

class SystemdSupervisor final : public Supervisor {
  public:
    void ready() override { sd_notify(0, "READY=1\nSTATUS=member of the swarm"); }
    void keepalive() override { sd_notify(0, "WATCHDOG=1"); }
    void status(const std::string& text) override { sd_notifyf(0, "STATUS=%s", text.c_str()); }
};

}  // namespace

int host(const std::string& /*service_name*/, std::stop_source stop, ServiceBody body) {
    SystemdSupervisor supervisor;
    int code = body(stop.get_token(), supervisor);
    sd_notify(0, "STOPPING=1");
    return code;
}

spdlog::sink_ptr make_console_sink(const std::string& service_name) {
    // The unit's stderr is a journal stream, where every line would land as plain text at "info": write to
    // the journal directly instead, with priority and fields.
    if (!stderr_is_journal()) {
        return nullptr;
    }
    return make_journal_sink(service_name);
}

spdlog::sink_ptr make_event_sink(const std::string& service_name) {
    // Only under systemd: elsewhere the journal may not exist and stderr already has the lines. When stderr
    // is the journal, make_console_sink has sent every line there already.
    if (stderr_is_journal()) {
        return nullptr;
    }
    if (std::getenv("INVOCATION_ID") == nullptr && std::getenv("NOTIFY_SOCKET") == nullptr) {
        return nullptr;
    }
    std::error_code ec;
    if (!std::filesystem::exists("/run/systemd/journal/socket", ec)) {
        return nullptr;
    }
    return make_journal_sink(service_name);
}

}  // namespace sb::service
