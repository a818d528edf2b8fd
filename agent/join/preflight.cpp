#include <fstream>
#include <sstream>

#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

namespace {

Secret read_token_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Failure(ExitCode::usage,
                      "cannot read token file " + path.string() + "; check --token-file and its permissions");
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::string token = buf.str();
    auto b = token.find_first_not_of(" \t\r\n");
    auto e = token.find_last_not_of(" \t\r\n");
    token = b == std::string::npos ? std::string() : token.substr(b, e - b + 1);
    if (!looks_like_join_token(token)) {
        // Never echo the content: it may be a secret with a typo.
        throw Failure(ExitCode::usage,
                      "token file " + path.string() +
                          " does not hold a swarm join token (SWMTKN-1-...); write the output of "
                          "'docker swarm join-token -q worker' into it");
    }
    return Secret(std::move(token));
}

}  // namespace

void preflight(JoinContext& ctx) {
    auto& log = sb::log("preflight");
    if (ctx.config.managers.empty()) {
        throw Failure(
            ExitCode::usage,
            "no manager given; use --manager ADDR (repeatable) or \"managers\" in the configuration file");
    }
    for (const auto& text : ctx.config.managers) {
        auto spec = parse_manager_spec(text);
        if (!spec) {
            throw Failure(ExitCode::usage, spec.error());
        }
        ctx.managers.push_back(*spec);
    }
    if (!ctx.config.token_file.empty()) {
        ctx.file_token = read_token_file(ctx.config.token_file);
    }

    auto& local = *ctx.services.local;
    int attempt = 0;
    for (;;) {
        ++attempt;
        auto ping = local.ping();
        ApiError last;
        if (ping) {
            auto version = local.version();
            auto info = version ? local.info() : ApiResult<EngineInfo>(sb::unexpected(version.error()));
            if (info) {
                ctx.local_version = *version;
                ctx.local_info = *info;
                log.info("local engine {} answers: Docker {}, API {}, {} {}, swarm state {}", local.address(),
                         version->version, version->api_version, info->os_type, info->architecture,
                         info->swarm.local_state);
                return;
            }
            last = info.error();
        } else {
            last = ping.error();
        }
        if (last.kind == ApiErrorKind::tls || last.kind == ApiErrorKind::unauthorized) {
            throw Failure(ExitCode::join_rejected, "the local engine at " + local.address() +
                                                       " refused us: " + last.describe() +
                                                       "; check the TLS settings");
        }
        if (last.kind == ApiErrorKind::api_version) {
            throw Failure(ExitCode::internal, last.message);
        }
        if (ctx.deadline.expired()) {
            throw Failure(ExitCode::engine_deadline,
                          "the local Docker engine at " + local.address() + " did not answer within " +
                              format_duration(ctx.config.timeout) + " (last: " + last.describe() +
                              "); check that the docker service is running");
        }
        auto next = ctx.backoff.next();
        log.info("local engine {} not ready: {}; {}", local.address(), last.describe(),
                 ctx.progress(attempt, next));
        if (!ctx.pause(next)) {
            throw Stopped{};
        }
    }
}

}  // namespace sb::phases
