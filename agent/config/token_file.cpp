#include "agent/config/token_file.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace sb {

namespace {

// A token is 85 characters; anything much larger is not a token file.
constexpr std::uintmax_t max_token_file_size = 4096;

}  // namespace

sb::expected<Secret, std::string> read_token_file(const std::filesystem::path& path) {
    const std::string name = "token file " + path.string();
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        return sb::unexpected(name + " cannot be read (" +
                              (ec ? ec.message() : std::string("No such file or directory")) + ")");
    }
    if (!std::filesystem::is_regular_file(status)) {
        return sb::unexpected(name + " is not a regular file");
    }
    if (std::filesystem::file_size(path, ec) > max_token_file_size && !ec) {
        return sb::unexpected(name + " is too large to hold a join token; it should hold only the token");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return sb::unexpected(name + " cannot be read; check its permissions");
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::string token = buf.str();
    auto b = token.find_first_not_of(" \t\r\n");
    auto e = token.find_last_not_of(" \t\r\n");
    token = b == std::string::npos ? std::string() : token.substr(b, e - b + 1);
    if (token.empty()) {
        return sb::unexpected(name +
                              " is empty; write the output of 'docker swarm join-token -q worker' into it");
    }
    if (!looks_like_join_token(token)) {
        return sb::unexpected(name +
                              " does not hold a swarm join token (SWMTKN-1-...); write the output of "
                              "'docker swarm join-token -q worker' into it");
    }
    return Secret(std::move(token));
}

}  // namespace sb
