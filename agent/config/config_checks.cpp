#include "agent/config/config_checks.hpp"

#include <fstream>
#include <system_error>

#include "agent/config/token_file.hpp"
#include "common/error.hpp"

namespace sb {

namespace {

[[noreturn]] void bad(const Config& c, const std::string& key, const std::string& problem) {
    throw Failure(ExitCode::usage, "configuration key '" + key + "' (" + c.source_of(key) + "): " + problem);
}

// A TLS file must be a readable regular file; its content is the TLS layer's to judge.
void check_readable_file(const Config& c, const std::string& key, const std::filesystem::path& path) {
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        bad(c, key, path.string() + " does not exist");
    }
    if (!std::filesystem::is_regular_file(status)) {
        bad(c, key, path.string() + " is not a regular file");
    }
    if (!std::ifstream(path, std::ios::binary)) {
        bad(c, key, path.string() + " cannot be read; check its permissions");
    }
}

bool uses_tls(const Config& c) {
    if (c.tls || c.docker_host.starts_with("https://")) {
        return true;
    }
    for (const auto& m : c.managers) {
        if (m.starts_with("https://")) {
            return true;
        }
    }
    return false;
}

}  // namespace

void check_needs(const Config& config, Needs needs) {
    if (needs.managers && config.managers.empty()) {
        throw Failure(
            ExitCode::usage,
            "no manager given; use --manager ADDR (repeatable) or \"managers\" in the configuration file");
    }
    if (needs.token_file && !config.token_file.empty()) {
        if (auto token = read_token_file(config.token_file); !token) {
            bad(config, "token_file", token.error());
        }
    }
    if (uses_tls(config)) {
        const auto& tls = config.tls_options;
        for (const auto& [key, path] :
             {std::pair{"tls_ca", tls.ca_file}, {"tls_cert", tls.cert_file}, {"tls_key", tls.key_file}}) {
            if (!path.empty()) {
                check_readable_file(config, key, path);
            }
        }
    }
}

}  // namespace sb
