#include "common/logging.hpp"

#include "sb_doctest.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/secret.hpp"
#include "fakes/log_capture.hpp"

using namespace sb;

namespace {
const std::string token =
    "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";
}

TEST_CASE("join tokens are redacted wherever they appear") {
    CHECK(redact("token " + token + " end") == "token SWMTKN-<redacted> end");
    CHECK(redact("a=" + token + "\"") == "a=SWMTKN-<redacted>\"");
    CHECK(redact("no secrets here") == "no secrets here");
    auto key = "x -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY----- y";
    CHECK(redact(key) == "x <redacted private key> y");
    CHECK(redact("-----BEGIN CERTIFICATE-----") == "-----BEGIN CERTIFICATE-----");
}

TEST_CASE("join token shape") {
    CHECK(looks_like_join_token(token));
    CHECK_FALSE(looks_like_join_token("SWMTKN-1-abc"));
    CHECK_FALSE(looks_like_join_token("SWMTKN-1-abc-def-ghi"));
    CHECK_FALSE(looks_like_join_token("garbage"));
    CHECK_FALSE(looks_like_join_token(token + " "));
}

TEST_CASE("no log line carries a token, at any level, in any format") {
    test::LogCapture capture;
    for (auto level : {spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::err}) {
        log("join").log(level, "joining with {} now", token);
    }
    CHECK(capture.text().find("1awxwuwd3z9j1z3puu7rcgdbx") == std::string::npos);
    CHECK(capture.contains("[join] joining with SWMTKN-<redacted> now"));
}

TEST_CASE("json log lines are one object each with time, level, phase and message") {
    std::ostringstream out;
    auto formatter = make_log_formatter(LogFormat::json);
    spdlog::details::log_msg msg("wait-manager", spdlog::level::warn, "10.0.0.5:2375 not ready: \"refused\"");
    spdlog::memory_buf_t buf;
    formatter->format(msg, buf);
    std::string line(buf.data(), buf.size());
    CHECK(line.back() == '\n');
    auto j = nlohmann::json::parse(line);
    CHECK(j["phase"] == "wait-manager");
    CHECK(j["level"] == "warning");
    CHECK(j["msg"] == "10.0.0.5:2375 not ready: \"refused\"");
    CHECK(j["time"].get<std::string>().size() == 24);
}

TEST_CASE("Secret has no way out but reveal()") {
    Secret s(token);
    CHECK(s.reveal() == token);
    CHECK_FALSE(s.empty());
    CHECK(Secret().empty());
}
