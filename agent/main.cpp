// swarm-bootstrap: the executable is only this; everything else lives in the sb_agent library.

#include <stop_token>
#include <string>
#include <vector>

#include "agent/cli.hpp"
#include "agent/platform/platform.hpp"
#include "agent/service/service_host.hpp"
#include "common/logging.hpp"

int main(int argc, char** argv) {
    std::stop_source stop;
    sb::platform::request_stop_on_signals(stop);
    // Under systemd stderr is the journal: every line, from the first, goes there with its priority.
    sb::set_console_sink(sb::service::make_console_sink("swarm-bootstrap"));
    return sb::run_cli(std::vector<std::string>(argv, argv + argc), stop);
}
