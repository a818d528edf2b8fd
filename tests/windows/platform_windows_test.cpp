// The Windows platform layer: %ProgramData% paths, the named-mutex lock, the atomic write, the executable
// path.

#include "agent/platform/platform.hpp"

#include "sb_doctest.hpp"

#include <windows.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/endpoint.hpp"
#include "common/error.hpp"
#include "common/win32.hpp"

using namespace sb;

namespace {

std::filesystem::path fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("sb-win-" + name + "-" + std::to_string(::GetCurrentProcessId()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string unique_lock_name(const std::string& what) {
    return "Local\\sb-test-" + what + "-" + std::to_string(::GetCurrentProcessId());
}

}  // namespace

TEST_CASE("the default engine is the docker_engine named pipe") {
    CHECK(platform::default_docker_host() == "npipe:////./pipe/docker_engine");
    auto ep = parse_endpoint(platform::default_docker_host());
    REQUIRE(ep);
    CHECK(ep->kind == Endpoint::Kind::named_pipe);
    CHECK(ep->path == "\\\\.\\pipe\\docker_engine");
}

TEST_CASE("configuration and state live in %ProgramData%\\swarm-bootstrap") {
    const wchar_t* env = ::_wgetenv(L"ProgramData");
    REQUIRE(env != nullptr);
    std::filesystem::path program_data(env);
    auto config = platform::default_config_path();
    auto state = platform::default_state_path();
    CHECK(config.filename() == "config.json");
    CHECK(state.filename() == "state.json");
    CHECK(config.parent_path().filename() == "swarm-bootstrap");
    CHECK(config.parent_path() == state.parent_path());
    // The known folder and the environment agree (C:\ProgramData on every Windows since Vista).
    CHECK(std::filesystem::equivalent(config.parent_path().parent_path(), program_data));
    CHECK(config.is_absolute());
    MESSAGE("config " << config.string() << ", state " << state.string());
}

TEST_CASE("the lock is a Global\\ named mutex: a second holder is refused until the first lets go") {
    CHECK(platform::default_lock_name() == "Global\\swarm-bootstrap");
    auto name = unique_lock_name("lock");
    auto first = platform::try_lock_instance(name);
    REQUIRE(first != nullptr);
    CHECK(platform::try_lock_instance(name) == nullptr);
    first.reset();
    auto again = platform::try_lock_instance(name);
    CHECK(again != nullptr);
}

TEST_CASE("the Global\\ lock works, and a lock file path from a Linux-style config becomes a mutex name") {
    auto global = "Global\\sb-test-global-" + std::to_string(::GetCurrentProcessId());
    auto g = platform::try_lock_instance(global);
    REQUIRE(g != nullptr);
    CHECK(platform::try_lock_instance(global) == nullptr);

    auto path = (fresh_dir("lockpath") / "Swarm-Bootstrap.lock").string();
    auto p = platform::try_lock_instance(path);
    REQUIRE(p != nullptr);
    CHECK(platform::try_lock_instance(path) == nullptr);
    // Paths are case-insensitive on Windows, and so is the lock.
    std::string upper = path;
    for (auto& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    CHECK(platform::try_lock_instance(upper) == nullptr);
}

TEST_CASE("write_file_atomically creates, replaces, and leaves no temporary file behind") {
    auto dir = fresh_dir("atomic");
    auto path = dir / "sub" / "state.json";
    platform::write_file_atomically(path, R"({"outcome":"joined"})");
    CHECK(read_all(path) == R"({"outcome":"joined"})");
    platform::write_file_atomically(path, R"({"outcome":"failed"})");
    CHECK(read_all(path) == R"({"outcome":"failed"})");
    CHECK(std::distance(std::filesystem::directory_iterator(dir / "sub"), {}) == 1);
    std::string big(3 * 1024 * 1024, 'x');
    platform::write_file_atomically(path, big);
    CHECK(read_all(path) == big);
}

TEST_CASE("write_file_atomically: a concurrent reader sees the old or the new file, never a torn one") {
    // On Windows a reader may find the file briefly unopenable (ERROR_SHARING_VIOLATION) while it is being
    // replaced; what it reads when it can open it must be whole.
    auto path = fresh_dir("torn") / "state.json";
    platform::write_file_atomically(path, "{\"n\":0}");
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::atomic<int> reads{0};
    std::atomic<int> refused{0};
    std::thread reader([&] {
        while (!done) {
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                ++refused;
                continue;
            }
            std::stringstream s;
            s << in.rdbuf();
            auto text = s.str();
            if (text.empty() || text.front() != '{' || text.back() != '}') {
                ++torn;
            }
            ++reads;
            // Readers are other processes that read now and then; one that reopens the file without pause
            // can keep the replace out for longer than its retries (seen under wine on a loaded machine).
            in.close();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    std::string
        failed;  // reported below, once the reader has stopped (not std::terminate on a joinable thread)
    try {
        for (int i = 1; i <= 60; ++i) {
            platform::write_file_atomically(
                path, "{\"n\":" + std::string(static_cast<std::size_t>(i * 37 % 5000), '1') + "}");
        }
    } catch (const std::exception& e) {
        failed = e.what();
    }
    done = true;
    reader.join();
    CHECK_MESSAGE(failed.empty(), failed);
    CHECK(torn == 0);
    CHECK(reads > 0);
    MESSAGE(reads.load() << " whole reads, " << refused.load() << " opens refused during a replace, "
                         << torn.load() << " torn");
}

TEST_CASE("write_file_atomically fails with a message that names the file") {
    auto dir = fresh_dir("fail");
    // A directory where the file should be: the replace cannot succeed.
    std::filesystem::create_directories(dir / "state.json");
    try {
        platform::write_file_atomically(dir / "state.json", "{}");
        FAIL("expected a Failure");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::internal);
        CHECK(std::string(f.what()).find("state.json") != std::string::npos);
    }
    // And it cleaned up its temporary file.
    CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 1);
}

TEST_CASE("executable_path and host_name") {
    auto exe = platform::executable_path();
    CHECK(exe.is_absolute());
    CHECK(exe.extension() == ".exe");
    CHECK(std::filesystem::exists(exe));
    CHECK_FALSE(platform::host_name().empty());
    MESSAGE("exe " << exe.string() << ", host " << platform::host_name());
}

TEST_CASE("Ctrl-Break requests a stop") {
    std::stop_source stop;
    platform::request_stop_on_signals(stop);
    if (!::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0)) {
        MESSAGE("no console to send Ctrl-Break to (" << win32::error_text(::GetLastError()) << "); skipped");
        return;
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(stop.stop_requested());
}
