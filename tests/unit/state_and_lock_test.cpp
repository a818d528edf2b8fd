#include "sb_doctest.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/node/status_report.hpp"
#include "agent/platform/platform.hpp"
#include "agent/state/state_file.hpp"
#include "fakes/fake_engine.hpp"

using namespace sb;

namespace {
std::filesystem::path temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("sb-test-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}
}  // namespace

TEST_CASE("one instance per node: a second lock is refused until the first is released") {
    auto name = (temp_dir("lock") / "swarm-bootstrap.lock").string();
    auto first = platform::try_lock_instance(name);
    REQUIRE(first != nullptr);
    CHECK(platform::try_lock_instance(name) == nullptr);
    first.reset();
    CHECK(platform::try_lock_instance(name) != nullptr);
}

TEST_CASE("the state file round-trips, holds no token, and leaves no temporary files") {
    auto dir = temp_dir("state");
    auto path = dir / "sub" / "state.json";
    AgentState s;
    s.command = "join";
    s.outcome = "failed";
    s.exit_code = 4;
    s.message =
        "rejected SWMTKN-1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbbbbbbbbbbb";
    s.node_id = "n1";
    write_state(path, s);
    auto back = read_state(path);
    REQUIRE(back);
    CHECK(back->outcome == "failed");
    CHECK(back->exit_code == 4);
    CHECK(back->message.find("bbbbbbbbbbbbbbbbbbbbbbbbb") == std::string::npos);
    CHECK(std::distance(std::filesystem::directory_iterator(dir / "sub"), {}) == 1);
}

TEST_CASE("readers never see a torn state file while it is rewritten") {
    auto path = temp_dir("atomic") / "state.json";
    AgentState s;
    s.command = "run";
    write_state(path, s);
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::atomic<int> reads{0};
    std::thread reader([&] {
        while (!done) {
            std::ifstream in(path);
            if (!in) {
                continue;  // Windows: the file cannot be opened for a moment while it is replaced
            }
            std::stringstream buf;
            buf << in.rdbuf();
            if (!nlohmann::json::accept(buf.str())) {
                ++torn;
            }
            ++reads;
            // Readers (`status`) read now and then; one that reopens the file without pause can keep a
            // Windows replace out for longer than its retries (seen under wine on a loaded machine).
            in.close();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    std::string
        failed;  // reported below, once the reader has stopped (not std::terminate on a joinable thread)
    try {
        for (int i = 0; i < 100; ++i) {
            s.attempts = i;
            s.message = std::string(static_cast<std::size_t>(i * 7 % 1000), 'x');
            write_state(path, s);
        }
    } catch (const std::exception& e) {
        failed = e.what();
    }
    done = true;
    reader.join();
    CHECK_MESSAGE(failed.empty(), failed);
    CHECK(torn == 0);
    CHECK(reads > 0);
    CHECK(read_state(path)->attempts == 99);
}

TEST_CASE("status JSON has the documented shape and tells member from non-member") {
    test::FakeWorld world;
    auto& m1 = world.add("10.0.0.1", "manager-1");
    auto& local = world.add("10.0.0.9", "worker-9");
    auto& dead = world.add("10.0.0.3", "dead");
    dead.stop();
    m1.init_swarm("clusterA");
    std::map<std::string, std::shared_ptr<EngineApi>> clients;
    auto client = [&](const Endpoint& ep) {
        auto& c = clients[ep.url()];
        if (!c) {
            c = world.connect(ep);
        }
        return c;
    };
    Endpoint e1{Endpoint::Kind::tcp, "", "10.0.0.1", 2375, false, ""};
    Endpoint e3{Endpoint::Kind::tcp, "", "10.0.0.3", 2375, false, ""};

    auto before = collect_status(local, {e1, e3}, client, {});
    CHECK_FALSE(before.member());
    auto j = to_json(before);
    CHECK(j["member"] == false);
    CHECK(j["swarm"]["local_state"] == "inactive");
    CHECK(j["node"].is_null());
    REQUIRE(j["managers"].size() == 2);
    CHECK(j["managers"][0]["ready"] == true);
    CHECK(j["managers"][1]["ready"] == false);
    CHECK(j["managers"][1]["error"] == "connect: Connection refused");

    m1.add_member(local, false);
    auto after = to_json(collect_status(local, {e1, e3}, client, {}));
    CHECK(after["member"] == true);
    CHECK(after["swarm"]["node_id"] == local.node_id);
    CHECK(after["swarm"]["cluster_id"] == "clusterA");
    CHECK(after["node"]["role"] == "worker");
    CHECK(after["node"]["state"] == "ready");
    CHECK(after["node"]["labels"].is_object());
    for (const char* key : {"member", "engine", "swarm", "node", "node_error", "managers", "last_run"}) {
        CHECK(after.contains(key));
    }
    CHECK(to_text(collect_status(local, {e1}, client, {})).find("member:       yes") != std::string::npos);
}

TEST_CASE("status on a member with no manager configured: membership unknown, and says why") {
    test::FakeWorld world;
    auto& m1 = world.add("10.0.0.1", "manager-1");
    auto& local = world.add("10.0.0.9", "worker-9");
    m1.init_swarm("clusterA");
    m1.add_member(local, false);
    auto client = [&](const Endpoint& ep) { return std::shared_ptr<EngineApi>(world.connect(ep)); };
    auto report = collect_status(local, {}, client, {}, false);
    CHECK_FALSE(report.member());
    auto text = to_text(report);
    CHECK(text.find("member:       unknown") != std::string::npos);
    CHECK(text.find("no manager is configured (--manager), so membership is unknown") != std::string::npos);
    CHECK(to_json(report)["membership_known"] == false);
}
