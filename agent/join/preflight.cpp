#include "agent/config/token_file.hpp"
#include "agent/join/phases.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::phases {

void preflight(JoinContext& ctx) {
    auto& log = sb::log("preflight");
    if (ctx.config.managers.empty()) {
        throw Failure(
            ExitCode::usage,
            "no manager given; use --manager ADDR (repeatable) or \"managers\" in the configuration file");
    }
    auto specs = parse_manager_specs(ctx.config.managers);
    if (!specs) {
        throw Failure(ExitCode::usage, specs.error());
    }
    ctx.managers = std::move(*specs);
    if (!ctx.config.token_file.empty()) {
        auto token = read_token_file(ctx.config.token_file);
        if (!token) {
            throw Failure(ExitCode::usage, token.error());
        }
        ctx.file_token = *token;
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
                ctx.local_info_fresh = info->swarm.local_state == "inactive";
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
