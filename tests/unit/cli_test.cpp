// The command line parsed in-process: usage errors are exit 2 with one line, and nothing reaches an engine.
// Every run gets a private machine (no environment, its own config, state and lock paths), so that no test
// reads or touches the real ones: a machine that runs swarm-bootstrap as a service passes these tests too.

#include "agent/app/cli.hpp"

#include "sb_doctest.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include "agent/platform/platform.hpp"
#include "common/exit_code.hpp"
#include "common/logging.hpp"
#include "fakes/log_capture.hpp"

using namespace sb;

namespace {

// A fresh directory that stands in for the machine's /etc, /var/lib and /run.
std::filesystem::path private_dir() {
    static const auto dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("sb-cli-test-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

MachineDefaults private_machine() {
    auto dir = private_dir();
    return MachineDefaults{[](const std::string&) { return std::optional<std::string>(); },
                           dir / "config.json", dir / "state.json", (dir / "agent.lock").string(),
                           "unix://" + (dir / "no-engine.sock").generic_string()};
}

int cli(std::vector<std::string> args, const MachineDefaults& machine = private_machine()) {
    args.insert(args.begin(), "swarm-bootstrap");
    int code = run_cli(args, std::stop_source{}, machine);
    setup_logging(spdlog::level::trace, LogFormat::text, false);  // run_cli turned the console on
    return code;
}

std::filesystem::path write_file(const std::string& name, const std::string& content) {
    auto path = private_dir() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

const int usage = to_int(ExitCode::usage);

}  // namespace

TEST_CASE("usage errors are exit 2") {
    // Held, so that a case that wrongly passed would end at once (exit 7) instead of waiting for an engine.
    auto held = platform::try_lock_instance(private_machine().lock_file);
    REQUIRE(held);
    CHECK(cli({}) == usage);
    CHECK(cli({"frobnicate"}) == usage);
    CHECK(cli({"join", "--no-such-option"}) == usage);
    CHECK(cli({"join"}) == usage);  // no manager
    CHECK(cli({"join", "--manager", "10.0.0.5+0"}) == usage);
    CHECK(cli({"join", "--manager", "10.0.0.5", "--timeout", "soon"}) == usage);
    CHECK(cli({"join", "--manager", "10.0.0.5", "--label", "novalue"}) == usage);
    CHECK(cli({"join", "--manager", "10.0.0.5", "--config", "/nonexistent/config.json"}) == usage);
    CHECK(cli({"join", "--manager", "10.0.0.5", "10.0.0.6"}) == usage);  // one value per --manager
    CHECK(cli({"service"}) == usage);
}

TEST_CASE("values that can never work are exit 2 before anything waits, naming the key and its source") {
    // The lock is held, so a value that slipped through would end in exit 7 at once, not wait for an engine.
    auto machine = private_machine();
    auto held = platform::try_lock_instance(machine.lock_file);
    REQUIRE(held);
    struct Case {
        std::vector<std::string> args;
        const char* says;
    };
    const auto dir = private_dir();
    for (const Case& c : {
             Case{{"--manager", "10.0.0.256"}, "'managers' (command line)"},
             Case{{"--manager", "10.0.0.5:70000"}, "invalid port"},
             Case{{"--manager", "[fd00::5:2375"}, "IPv6"},
             Case{{"--manager", "10.0.0.250+10"}, "last octet"},
             Case{{"--manager", "10.0.0.5", "--listen-addr", "10.0.0.5:notaport"},
                  "'listen_addr' (command line)"},
             Case{{"--manager", "10.0.0.5", "--listen-addr", "10.0.0.300"}, "not a valid IPv4 address"},
             Case{{"--manager", "10.0.0.5", "--advertise-addr", "0.0.0.0"}, "'advertise_addr'"},
             Case{{"--manager", "10.0.0.5", "--data-path-addr", "10.0.0.5:4789"}, "without a port"},
             Case{{"--manager", "10.0.0.5", "--docker-host", "tcp://10.0.0.256:2375"}, "'docker_host'"},
             Case{{"--manager", "10.0.0.5", "--docker-host", "ssh://user@host"}, "unsupported scheme"},
             Case{{"--manager", "10.0.0.5", "--timeout", "30"}, "has no unit"},
             Case{{"--manager", "10.0.0.5", "--backoff-max", "1.2.3s"}, "'backoff_max'"},
             Case{{"--manager", "10.0.0.5", "--label", "com.docker.x=1"}, "reserves"},
             Case{{"--manager", "10.0.0.5", "--label", "a b=1"}, "label key"},
             Case{{"--manager", "10.0.0.5", "--token-file", (dir / "missing-token").string()},
                  "'token_file'"},
             Case{{"--manager", "10.0.0.5", "--tls-ca", (dir / "missing-ca.pem").string()},
                  "'tls_ca' (command line)"},
         }) {
        std::vector<std::string> full{"join"};
        full.insert(full.end(), c.args.begin(), c.args.end());
        CAPTURE(c.args.back());  // a named case, not a structured binding: Clang 14 cannot capture those
        test::LogCapture logs;
        CHECK(cli(full, machine) == usage);
        CHECK(logs.contains(c.says));
        CHECK(logs.text().find('\n') == logs.text().size() - 1);  // one line
    }
}

TEST_CASE("while another agent holds the lock, a configuration that can never work is exit 2, not 7") {
    auto machine = private_machine();
    auto held = platform::try_lock_instance(machine.lock_file);
    REQUIRE(held);
    CHECK(cli({"join"}, machine) == usage);
    CHECK(cli({"join", "--manager", "10.0.0.5", "--token-file", (private_dir() / "missing").string()},
              machine) == usage);
    auto not_a_token = write_file("not-a-token", "SWMTKN-1-" + std::string(50, 'a') + "\n");
    CHECK(cli({"join", "--manager", "10.0.0.5", "--token-file", not_a_token.string()}, machine) == usage);
    CHECK(cli({"join", "--manager", "10.0.0.5", "--listen-addr", "10.0.0.5:2377:1"}, machine) == usage);
    CHECK(cli({"rejoin"}, machine) == usage);
    CHECK(cli({"leave", "--remove-node"}, machine) == usage);
    // A valid configuration gets as far as the lock, and finds it held.
    CHECK(cli({"join", "--manager", "10.0.0.5"}, machine) == to_int(ExitCode::already_running));
}

TEST_CASE("drain and leave --drain: usage errors are exit 2") {
    auto machine = private_machine();
    CHECK(cli({"drain"}, machine) == usage);  // no manager to go through
    CHECK(cli({"drain", "--manager", "10.0.0.5", "--deadline", "soon"}, machine) == usage);
    CHECK(cli({"drain", "--manager", "10.0.0.5", "--deadline", "0s"}, machine) == usage);
    CHECK(cli({"drain", "--manager", "10.0.0.5", "--undo", "--deadline", "1m"}, machine) == usage);
    CHECK(cli({"leave", "--manager", "10.0.0.5", "--deadline", "1m"}, machine) == usage);  // without --drain
    CHECK(cli({"leave", "--drain"}, machine) == usage);
    CHECK(cli({"drain", "--help"}, machine) == 0);
}

TEST_CASE("version and help succeed") {
    CHECK(cli({"version"}) == 0);
    CHECK(cli({"--help"}) == 0);
    CHECK(cli({"join", "--help"}) == 0);
}
