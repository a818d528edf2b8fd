// The token file is read and checked before anything waits; no message ever holds its content.

#include "agent/config/token_file.hpp"

#include "sb_doctest.hpp"

#include <filesystem>
#include <fstream>

using namespace sb;

namespace {

const std::string token = "SWMTKN-1-" + std::string(50, 'a') + "-" + std::string(25, 'b');

std::filesystem::path write_token_file(const std::string& name, const std::string& content) {
    auto dir = std::filesystem::temp_directory_path() / "sb-token-file-test";
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

TEST_CASE("a token file holds one join token; whitespace around it is fine") {
    auto t = read_token_file(write_token_file("ok", token + "\n"));
    REQUIRE(t);
    CHECK(t->reveal() == token);
    CHECK(read_token_file(write_token_file("crlf", "  " + token + "\r\n"))->reveal() == token);
}

TEST_CASE("a token file that can never work is named, and its content is never shown") {
    struct Bad {
        std::string content;
        const char* says;
    };
    const std::string secretish = "SWMTKN-1-" + std::string(50, 'a');  // the secret part is missing
    for (const auto& [content, says] :
         {Bad{"", "is empty"}, Bad{"\n\n", "is empty"}, Bad{secretish, "does not hold a swarm join token"},
          Bad{token + "\n" + token, "does not hold"},
          Bad{"-----BEGIN PRIVATE KEY-----\nMIIE", "does not hold"},
          Bad{std::string(5000, 'x'), "too large"}}) {
        auto path = write_token_file("bad", content);
        auto r = read_token_file(path);
        REQUIRE_FALSE(r);
        CAPTURE(r.error());
        CHECK(r.error().find(says) != std::string::npos);
        CHECK(r.error().find(path.string()) != std::string::npos);
        CHECK(r.error().find("SWMTKN-1-a") == std::string::npos);
        CHECK(r.error().find("MIIE") == std::string::npos);
    }
    auto missing = read_token_file("/nonexistent/sb-token");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().find("cannot be read") != std::string::npos);
    auto dir = read_token_file(std::filesystem::temp_directory_path());
    REQUIRE_FALSE(dir);
    CHECK(dir.error().find("not a regular file") != std::string::npos);
}
