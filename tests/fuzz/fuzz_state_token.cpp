// The state file (read by `status` and the next run, written after every run) and the join token file.
//
// Input: byte 0 picks the file. State, read: the rest is the file's content. State, write: the rest is
// split on NUL bytes into the fields of a run's record, which is written and read back. Token: the rest is
// the token file's content, read as --token-file reads it.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/config/token_file.hpp"
#include "agent/state/state_file.hpp"
#include "common/error.hpp"
#include "common/secret.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

// A directory on tmpfs when there is one, so that the write's fsync costs nothing; removed at exit.
const std::filesystem::path& scratch_directory() {
    static const std::filesystem::path dir = [] {
        std::string pattern =
            std::filesystem::exists("/dev/shm") ? "/dev/shm/sb-fuzz-XXXXXX" : "/tmp/sb-fuzz-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::abort();
        }
        return std::filesystem::path(pattern);
    }();
    static const bool cleanup = [] { return std::atexit([] { std::filesystem::remove_all(dir); }) == 0; }();
    (void)cleanup;
    return dir;
}

bool is_utf8(const std::string& text) {
    try {
        (void)nlohmann::json(text).dump();
        return true;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

// Every "SWMTKN-" left in a redacted text is followed by the "<redacted>" marker.
bool no_token_in(std::string_view text) {
    for (auto at = text.find("SWMTKN-"); at != std::string_view::npos; at = text.find("SWMTKN-", at + 1)) {
        if (text.substr(at + 7, 10) != "<redacted>") {
            return false;
        }
    }
    return true;
}

void read_state(std::string_view content) {
    static sb::fuzz::MemoryFile file("state.json");
    file.assign(content);
    if (auto state = sb::read_state(file.path())) {
        (void)sb::to_json(*state).dump();
    }
}

// Whatever a failed run records (the message may quote a peer's error body) is written and read back.
void write_state(std::string_view fields) {
    static const auto path = scratch_directory() / "state.json";
    std::string parts[6];
    for (auto& part : parts) {
        auto end = fields.find('\0');
        part = std::string(fields.substr(0, end));
        fields = end == std::string_view::npos ? std::string_view() : fields.substr(end + 1);
    }
    sb::AgentState state;
    state.command = "join";
    state.outcome = "failed";
    state.exit_code = 3;
    state.message = parts[0];
    state.node_id = parts[1];
    state.cluster_id = parts[2];
    state.manager = parts[3];
    state.started_at = parts[4];
    state.finished_at = parts[5];
    sb::write_state(path, state);
    auto back = sb::read_state(path);
    sb::fuzz::check(back.has_value() && back->exit_code == 3 && back->outcome == "failed");
    // Text that is not UTF-8 is written with U+FFFD in place of the bad bytes.
    sb::fuzz::check(back->node_id == state.node_id || !is_utf8(state.node_id));
    sb::fuzz::check(back->manager == state.manager || !is_utf8(state.manager));
    sb::fuzz::check(no_token_in(back->message));
}

// The token file as --token-file reads it: a token comes back trimmed; an error names the file, never the
// content (a token with a typo, or a key pasted by mistake, is still a secret).
void read_token(std::string_view content) {
    static sb::fuzz::MemoryFile file("token");
    file.assign(content);
    if (auto token = sb::read_token_file(file.path())) {
        sb::fuzz::check(sb::looks_like_join_token(token->reveal()));
        sb::fuzz::check(content.find(token->reveal()) != std::string_view::npos);
    } else {
        // One of the fixed reasons, whatever the content: nothing of it can be quoted.
        static const std::string reasons[] = {
            "is empty; write the output of 'docker swarm join-token -q worker' into it",
            "does not hold a swarm join token (SWMTKN-1-...); write the output of "
            "'docker swarm join-token -q worker' into it",
            "is too large to hold a join token; it should hold only the token",
        };
        const std::string prefix = "token file " + file.path() + " ";
        bool known = false;
        for (const auto& reason : reasons) {
            known = known || token.error() == prefix + reason;
        }
        sb::fuzz::check(known);
    }
    sb::fuzz::check(no_token_in(sb::redact(content)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sb::fuzz::Input input(data, size);
    switch (input.byte() % 3) {
        case 0:
            read_state(input.rest());
            break;
        case 1:
            write_state(input.rest());
            break;
        default:
            read_token(input.rest());
            break;
    }
    return 0;
}
