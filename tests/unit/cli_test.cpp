// The command line parsed in-process: usage errors are exit 2 with one line, and nothing reaches an engine.

#include "agent/cli.hpp"

#include "sb_doctest.hpp"

#include "common/exit_code.hpp"
#include "common/logging.hpp"

using namespace sb;

namespace {
int cli(std::vector<std::string> args) {
    args.insert(args.begin(), "swarm-bootstrap");
    int code = run_cli(args, std::stop_source{});
    setup_logging(spdlog::level::trace, LogFormat::text, false);  // run_cli turned the console on
    return code;
}
}  // namespace

TEST_CASE("usage errors are exit 2") {
    CHECK(cli({}) == to_int(ExitCode::usage));
    CHECK(cli({"frobnicate"}) == to_int(ExitCode::usage));
    CHECK(cli({"join", "--no-such-option"}) == to_int(ExitCode::usage));
    CHECK(cli({"join", "--docker-host", "unix:///nonexistent.sock"}) ==
          to_int(ExitCode::usage));  // no manager
    CHECK(cli({"join", "--manager", "10.0.0.5+0"}) == to_int(ExitCode::usage));
    CHECK(cli({"join", "--manager", "10.0.0.5", "--timeout", "soon"}) == to_int(ExitCode::usage));
    CHECK(cli({"join", "--manager", "10.0.0.5", "--label", "novalue"}) == to_int(ExitCode::usage));
    CHECK(cli({"join", "--manager", "10.0.0.5", "--config", "/nonexistent/config.json"}) ==
          to_int(ExitCode::usage));
    CHECK(cli({"service"}) == to_int(ExitCode::usage));
}

TEST_CASE("version and help succeed") {
    CHECK(cli({"version"}) == 0);
    CHECK(cli({"--help"}) == 0);
    CHECK(cli({"join", "--help"}) == 0);
}
