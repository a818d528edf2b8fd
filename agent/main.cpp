// swarm-bootstrap: the executable is only this; everything else lives in the sb_agent library.

#include <stop_token>
#include <string>
#include <vector>

#include "agent/cli.hpp"
#include "agent/platform/platform.hpp"

int main(int argc, char** argv) {
    std::stop_source stop;
    sb::platform::request_stop_on_signals(stop);
    return sb::run_cli(std::vector<std::string>(argv, argv + argc), stop);
}
