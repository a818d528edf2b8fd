// swarm-bootstrap: the executable is only this; everything else lives in the sb_agent library.

#include <cstdio>
#include <cstdlib>
#include <stop_token>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "agent/app/cli.hpp"
#include "agent/platform/platform.hpp"
#include "agent/service/service_host.hpp"
#include "common/logging.hpp"

int main(int argc, char** argv) {
    std::stop_source stop;
    sb::platform::request_stop_on_signals(stop);
    // Under systemd stderr is the journal: every line, from the first, goes there with its priority.
    sb::set_console_sink(sb::service::make_console_sink("swarm-bootstrap"));
    const int code = sb::run_cli(std::vector<std::string>(argv, argv + argc), stop);
    // Probes of managers that lost the race may still run on detached threads (the first ready manager wins
    // without waiting for them). Static destructors and OpenSSL's exit handlers must not run under them (ASan
    // saw a use-after-free and a crash there), so the process ends without them, once the logs are flushed.
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) { logger->flush(); });
    std::fflush(nullptr);
    std::_Exit(code);
}
