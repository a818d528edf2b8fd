// Inputs the fuzz targets (tests/fuzz/) found to crash or throw, each kept as a regression test. The same
// inputs are seeds in tests/fuzz/corpus/<target>/finding-*, so the fuzzers replay them on every run.

#include "sb_doctest.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/config/config.hpp"
#include "agent/state/state_file.hpp"
#include "common/duration.hpp"
#include "common/engine_types.hpp"
#include "common/error.hpp"
#include "common/transport/http_exchange.hpp"

using namespace sb;

namespace {

std::filesystem::path scratch(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / "sb-fuzz-findings-test";
    std::filesystem::create_directories(dir);
    return dir / name;
}

std::filesystem::path write_file(const std::string& name, const std::string& content) {
    auto path = scratch(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

// duration_labels/finding-duration-dot, finding-duration-huge: std::stod threw out of parse_duration.
TEST_CASE("fuzz finding: a duration that is only a dot, or too long a number, is invalid, not an exception") {
    CHECK_FALSE(parse_duration(".").has_value());
    CHECK_FALSE(parse_duration(".s").has_value());
    CHECK_FALSE(parse_duration(std::string(400, '9') + "s").has_value());
    CHECK(parse_duration(".5s") == Duration(500));
    CHECK(parse_duration("1.5m") == Duration(90'000));
}

// config_file/finding-env-bool-not-utf8: the message quoted the value with json::dump, which throws on
// bytes that are not UTF-8, so a bad environment variable ended as "unexpected internal error" (exit 1).
TEST_CASE("fuzz finding: a boolean variable that is not UTF-8 is a usage error naming the variable") {
    auto getenv = [](const std::string& name) -> std::optional<std::string> {
        if (name == "SWARM_BOOTSTRAP_TLS") {
            return std::string("\xff");
        }
        return std::nullopt;
    };
    try {
        build_config({read_config_environment(getenv)}, getenv);
        FAIL("accepted");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::usage);
        CHECK(std::string(f.what()).find("SWARM_BOOTSTRAP_TLS") != std::string::npos);
    }
}

// state_token/finding-state-wrong-types: json::value() threw type_error for a field of another type, so
// `status` and the next run failed on a state file edited by hand.
TEST_CASE("fuzz finding: a state file with fields of the wrong type reads them as absent") {
    auto path = write_file("state-wrong-types.json",
                           R"({"command": 1, "outcome": "failed", "exit_code": "3", "attempts": 2.5,
                               "message": null, "node_id": ["x"], "manager": "10.0.0.5:2375"})");
    auto s = read_state(path);
    REQUIRE(s.has_value());
    CHECK(s->command.empty());
    CHECK(s->outcome == "failed");
    CHECK(s->exit_code == 0);
    CHECK(s->attempts == 0);
    CHECK(s->message.empty());
    CHECK(s->node_id.empty());
    CHECK(s->manager == "10.0.0.5:2375");

    auto big =
        write_file("state-big-numbers.json", R"({"exit_code": 1e300, "attempts": 99999999999999999999})");
    REQUIRE(read_state(big).has_value());
    CHECK(read_state(big)->exit_code == 0);
    CHECK(read_state(big)->attempts == 0);
}

// state_token/finding-state-message-not-utf8: a failure message quoting a peer's text/plain body that is
// not UTF-8 made json::dump throw in write_state: the state was lost and the run ended with exit 1.
TEST_CASE("fuzz finding: a failure message that is not UTF-8 is still recorded") {
    auto path = scratch("state-not-utf8.json");
    AgentState s;
    s.command = "join";
    s.outcome = "failed";
    s.exit_code = 3;
    s.message = "503 \xc3(\xff proxy error";
    write_state(path, s);
    auto back = read_state(path);
    REQUIRE(back.has_value());
    CHECK(back->exit_code == 3);
    CHECK(back->message == "503 \xef\xbf\xbd(\xef\xbf\xbd proxy error");
}

// engine_json/finding-info-wrong-types, finding-node-wrong-types: json::value() threw type_error when an
// engine (or something posing as one) sent a boolean or a number of another type.
TEST_CASE("fuzz finding: Engine API answers with fields of the wrong type read them as absent") {
    auto info = parse_info(nlohmann::json::parse(
        R"({"Name": "n", "Swarm": {"LocalNodeState": "active", "ControlAvailable": "yes"}})"));
    CHECK(info.swarm.active());
    CHECK_FALSE(info.swarm.control_available);

    auto node = parse_node(
        nlohmann::json::parse(R"({"ID": "x", "Version": {"Index": "52"}, "ManagerStatus": {"Leader": 1}})"));
    CHECK(node.id == "x");
    CHECK(node.version == 0);
    CHECK_FALSE(node.leader);
    CHECK(parse_node(nlohmann::json::parse(R"({"Version": {"Index": -1}})")).version == 0);
    CHECK(parse_node(nlohmann::json::parse(R"({"Version": {"Index": 1e300}})")).version == 0);
    CHECK(parse_node(nlohmann::json::parse(R"({"Version": {"Index": 52}})")).version == 52);
}

// http_response/finding-chunk-trailer-split: a final chunk followed by a malformed trailer, read a byte at a
// time, trips an assertion inside Beast 1.81's chunked parser (basic_parser.ipp:702) whose release path is
// sound. Boost's assertions are compiled out of every build (cmake/warnings.cmake), so that a Debug build
// too answers a peer's bad bytes with an error instead of aborting; this replays the input in each.
TEST_CASE(
    "fuzz finding: a malformed chunked trailer that arrives a byte at a time is an error, not an abort") {
    boost::asio::io_context ioc;
    boost::beast::test::stream stream(ioc);
    boost::beast::test::stream peer(ioc);
    stream.connect(peer);
    stream.append("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r)");
    stream.close_remote();
    stream.read_size(1);

    HttpRequest request;
    request.target = "/v1.41/info";
    auto result = detail::run_exchange(
        ioc, stream,
        [&](auto handler) {
            boost::asio::post(ioc, [handler]() mutable { handler(boost::system::error_code()); });
        },
        [&] { stream.close(); }, request, "10.213.0.1:2375", Duration(5'000), 4096, {});
    REQUIRE_FALSE(result.has_value());
    CHECK_FALSE(result.error().timed_out);
    CHECK_FALSE(result.error().message.empty());
}
