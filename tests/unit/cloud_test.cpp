#include "agent/cloud/detect.hpp"
#include "agent/cloud/metadata_answers.hpp"
#include "agent/cloud/notice_handler.hpp"
#include "agent/cloud/watchers.hpp"

#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/metadata_emulator.hpp"
#include "sb_doctest.hpp"

using namespace sb;
using namespace sb::cloud;
using namespace std::chrono_literals;

namespace {

// The emulator in-process as the watchers' HTTP: what a request would get over the wire, without a socket. An
// answer held back longer than the request's timeout is a timeout, as the transport reports it.
MetadataHttp emulator_http(test::MetadataEmulator& emulator, std::vector<HttpRequest>* sent = nullptr) {
    return [&emulator, sent](const HttpRequest& request,
                             Duration timeout) -> sb::expected<HttpResponse, TransportError> {
        if (sent) {
            sent->push_back(request);
        }
        test::EmulatorRequest r;
        r.method = std::string(boost::beast::http::to_string(request.method));
        r.target = request.target;
        for (const auto& [name, value] : request.headers) {
            std::string lower = name;
            for (auto& c : lower) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            r.headers[lower] = value;
        }
        r.body = request.body;
        auto answer = emulator.handle(r);
        if (answer.delay > timeout) {
            TransportError e;
            e.timed_out = true;
            e.message = "no answer within " + format_duration(timeout) + " (read)";
            return sb::unexpected(e);
        }
        HttpResponse out;
        out.status = answer.status;
        out.body = answer.body;
        out.content_type = answer.content_type;
        return out;
    };
}

// The wall clock of a test: a fixed start moved on by the fake clock's virtual time.
struct FakeWall {
    test::FakeClock& clock;
    WallClock::time_point start = WallClock::time_point(std::chrono::seconds(1'800'000'000));
    WallClock::time_point operator()() const {
        return start + std::chrono::duration_cast<WallClock::duration>(clock.elapsed());
    }
};

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path =
            std::filesystem::temp_directory_path() /
            ("sb-cloud-test-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& content) const {
        std::ofstream(path / name) << content;
    }
};

// A graceful exit that records what it was asked, and answers as scripted.
struct FakeExit {
    std::vector<GracefulExitOptions> calls;
    std::vector<std::optional<ExitCode>> failures;  // per call: throw Failure with this code
    GracefulExitResult operator()(const GracefulExitOptions& options) {
        calls.push_back(options);
        auto i = calls.size() - 1;
        if (i < failures.size() && failures[i]) {
            throw Failure(*failures[i], "scripted failure");
        }
        GracefulExitResult r;
        r.node_id = "node1";
        r.drained = options.drain;
        r.left = options.leave;
        r.entry_removed = options.remove_entry;
        r.manager = "10.0.0.5:2375";
        return r;
    }
};

struct HandlerRig {
    test::FakeClock clock;
    FakeWall wall{clock};
    test::MetadataEmulator emulator{"vm-7"};
    TempDir dir;
    FakeExit exit;
    int reactivations = 0;
    std::unique_ptr<CloudWatcher> watcher;

    explicit HandlerRig(CloudKind kind) {
        emulator.wall_now = [this] { return wall(); };
        emulator.steady_now = [this] { return clock.now(); };
        emulator.long_poll_scale = 0;
        make_watcher(kind);
    }
    void make_watcher(CloudKind kind) {
        auto http = emulator_http(emulator);
        watcher = kind == CloudKind::azure ? make_azure_watcher(http)
                  : kind == CloudKind::aws ? make_aws_watcher(http, clock)
                                           : make_gcp_watcher(http);
    }
    NoticeHandler handler() {
        NoticeActions actions;
        actions.graceful_exit = [this](const GracefulExitOptions& o) { return exit(o); };
        actions.reactivate = [this]() -> sb::expected<void, std::string> {
            ++reactivations;
            return {};
        };
        return NoticeHandler(*watcher, actions, wall, dir.path / "state.notices.json");
    }
    NoticeLedger ledger() const { return read_notice_ledger(dir.path / "state.notices.json"); }
};

}  // namespace

TEST_CASE("cloud: auto detection reads the SMBIOS strings and nothing else") {
    auto fields = [](std::string vendor, std::string product, std::string bios_version = {},
                     std::string chassis_tag = {}, std::string board_tag = {}) {
        SmbiosFields f;
        f.sys_vendor = std::move(vendor);
        f.product_name = std::move(product);
        f.bios_version = std::move(bios_version);
        f.chassis_asset_tag = std::move(chassis_tag);
        f.board_asset_tag = std::move(board_tag);
        return f;
    };
    CHECK(cloud_from_smbios(fields("Microsoft Corporation", "Virtual Machine", "",
                                   "7783-7084-3265-9085-8269-3286-77")) == CloudKind::azure);
    // Hyper-V on a desk says the same vendor and product, without Azure's asset tag.
    CHECK(cloud_from_smbios(fields("Microsoft Corporation", "Virtual Machine")) == CloudKind::none);
    CHECK(cloud_from_smbios(fields("Amazon EC2", "m5.large")) == CloudKind::aws);
    CHECK(cloud_from_smbios(fields("Xen", "HVM domU", "4.11.amazon")) == CloudKind::aws);
    CHECK(cloud_from_smbios(fields("", "", "", "", "i-0af01c0123456789a")) == CloudKind::aws);
    CHECK(cloud_from_smbios(fields("Google", "Google Compute Engine")) == CloudKind::gcp);
    CHECK(cloud_from_smbios(fields("QEMU", "Standard PC (Q35 + ICH9, 2009)")) == CloudKind::none);
    CHECK(cloud_from_smbios(SmbiosFields{}) == CloudKind::none);

    TempDir dmi;
    CHECK(detect_cloud(dmi.path) == CloudKind::none);  // no files at all: this build machine has no DMI
    dmi.write("sys_vendor", "Microsoft Corporation\n");
    dmi.write("chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77\n");
    CHECK(detect_cloud(dmi.path) == CloudKind::azure);
    CHECK(read_smbios_dir(dmi.path).sys_vendor == "Microsoft Corporation");
}

TEST_CASE("cloud: metadata answers parse as the documentation writes them, and refuse the rest") {
    auto date = parse_http_date("Mon, 19 Sep 2016 18:29:47 GMT");
    REQUIRE(date);
    CHECK(format_utc(*date) == "2016-09-19T18:29:47Z");
    CHECK_FALSE(parse_http_date("19 Sep 2016 18:29:47"));
    CHECK_FALSE(parse_http_date("Mon, 31 Feb 2016 18:29:47 GMT"));
    // A year past the clock's range (found by fuzz_metadata_answers: 4032 overflowed the nanoseconds).
    CHECK_FALSE(parse_http_date("Mon, 19 Sep 4032 08:29:47 GMT"));
    CHECK(format_utc(*parse_utc_timestamp("2017-09-18T08:22:00Z")) == "2017-09-18T08:22:00Z");
    CHECK(format_utc(*parse_utc_timestamp("2017-09-18T08:22:00.123Z")) == "2017-09-18T08:22:00Z");
    CHECK_FALSE(parse_utc_timestamp("2017-09-18 08:22:00"));

    std::string doc = R"({"DocumentIncarnation": 3, "Events": [
        {"EventId": "A", "EventType": "Terminate", "ResourceType": "VirtualMachine", "Resources": ["vm-7"],
         "EventStatus": "Scheduled", "NotBefore": "Mon, 19 Sep 2016 18:29:47 GMT", "EventSource": "Platform"},
        {"EventId": "B", "EventType": "Reboot", "Resources": ["vm-8"], "NotBefore": ""},
        {"EventId": "C", "EventType": "Freeze", "Resources": ["vm-7", "vm-8"], "EventStatus": "Started",
         "NotBefore": ""}]})";
    auto parsed = parse_azure_events(doc, "vm-7");
    REQUIRE(parsed);
    CHECK(parsed->incarnation == 3);
    REQUIRE(parsed->notices.size() == 2);  // B is another VM's
    CHECK(parsed->notices[0].id == "A");
    CHECK(parsed->notices[0].action == NoticeAction::leave);
    CHECK(parsed->notices[0].not_before);
    CHECK(parsed->notices[1].action == NoticeAction::log_only);
    CHECK_FALSE(parsed->notices[1].not_before);
    CHECK_FALSE(parse_azure_events("[]", "vm-7"));
    CHECK_FALSE(parse_azure_events(R"({"DocumentIncarnation": 1})", "vm-7"));
    CHECK_FALSE(parse_azure_events(
        R"({"DocumentIncarnation": 1, "Events": [{"EventId": "A", "EventType": "Terminate", "Resources": ["vm-7"],
            "NotBefore": "tomorrow"}]})",
        "vm-7"));

    auto spot = parse_aws_spot_action(R"({"action": "terminate", "time": "2017-09-18T08:22:00Z"})");
    REQUIRE(spot);
    CHECK(spot->id == "spot:terminate@2017-09-18T08:22:00Z");
    CHECK(spot->action == NoticeAction::leave);
    CHECK_FALSE(parse_aws_spot_action(R"({"action": "reboot", "time": "2017-09-18T08:22:00Z"})"));
    auto in_service = parse_aws_lifecycle_state("InService");
    REQUIRE(in_service);
    CHECK_FALSE(in_service->has_value());
    auto terminated = parse_aws_lifecycle_state("Terminated\n");
    REQUIRE(terminated);
    REQUIRE(terminated->has_value());
    CHECK((*terminated)->id == "lifecycle:Terminated");
    CHECK_FALSE(parse_aws_lifecycle_state("<html>"));
    CHECK(*parse_gcp_preempted("TRUE"));
    CHECK_FALSE(*parse_gcp_preempted("FALSE"));
    CHECK_FALSE(parse_gcp_preempted("yes"));
}

TEST_CASE("cloud: the emulator refuses what the services refuse") {
    test::MetadataEmulator emulator;
    auto get = [&](std::string target, std::map<std::string, std::string> headers) {
        return emulator.handle({"GET", std::move(target), std::move(headers), ""}).status;
    };
    CHECK(get("/metadata/scheduledevents?api-version=2020-07-01", {}) == 400);
    CHECK(get("/metadata/scheduledevents?api-version=2020-07-01",
              {{"metadata", "true"}, {"x-forwarded-for", "1.2.3.4"}}) == 400);
    CHECK(get("/metadata/scheduledevents", {{"metadata", "true"}}) == 400);
    CHECK(get("/metadata/scheduledevents?api-version=2020-07-01", {{"metadata", "true"}}) == 200);
    CHECK(get("/latest/meta-data/spot/instance-action", {}) == 401);
    CHECK(get("/latest/meta-data/spot/instance-action", {{"x-aws-ec2-metadata-token", "made-up"}}) == 401);
    CHECK(emulator.handle({"PUT", "/latest/api/token", {}, ""}).status == 400);  // no TTL
    auto token =
        emulator.handle({"PUT", "/latest/api/token", {{"x-aws-ec2-metadata-token-ttl-seconds", "60"}}, ""});
    REQUIRE(token.status == 200);
    CHECK(get("/latest/meta-data/spot/instance-action", {{"x-aws-ec2-metadata-token", token.body}}) == 404);
    CHECK(get("/computeMetadata/v1/instance/preempted", {}) == 403);
    CHECK(get("/computeMetadata/v1/instance/preempted", {{"metadata-flavor", "Google"}}) == 200);
}

TEST_CASE("cloud: the Azure watcher names its VM, filters by Resources, sends Metadata: true and approves") {
    test::MetadataEmulator emulator("vm-7");
    std::vector<HttpRequest> sent;
    auto watcher = make_azure_watcher(emulator_http(emulator, &sent));
    auto none = watcher->poll();
    REQUIRE(none);
    CHECK(none->empty());
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].target == "/metadata/instance/compute?api-version=2021-02-01");
    CHECK(sent[1].target == "/metadata/scheduledevents?api-version=2020-07-01");
    for (const auto& r : sent) {
        CHECK(r.headers == std::vector<std::pair<std::string, std::string>>{{"Metadata", "true"}});
    }
    emulator.add_azure_event("Reboot", 300s, "OTHER", {"vm-8"});
    auto id = emulator.add_azure_event("Terminate", 60s);
    auto found = watcher->poll();
    REQUIRE(found);
    REQUIRE(found->size() == 1);
    CHECK(found->front().id == id);
    CHECK(found->front().status == "Scheduled");
    CHECK(sent.size() == 3);  // the VM's name is asked once
    REQUIRE(watcher->approve(found->front()));
    CHECK(sent.back().method == boost::beast::http::verb::post);
    CHECK(sent.back().body == R"({"StartRequests":[{"EventId":")" + id + R"("}]})");
    CHECK(emulator.approvals() == std::vector<std::string>{id});
    // The benchmark's record: when the approval came, beside the NotBefore that was served (whole seconds).
    auto times = emulator.report()["approval_times"];
    REQUIRE(times.size() == 1);
    CHECK(times[0]["EventId"] == id);
    auto received = times[0]["received_ms"].get<std::int64_t>();
    auto not_before = times[0]["not_before_ms"].get<std::int64_t>();
    CHECK(not_before % 1000 == 0);
    CHECK(not_before - received > 58000);
    CHECK(not_before - received <= 60000);
}

TEST_CASE("cloud emulator: its report gives each Azure event's NotBefore and the time of its approval") {
    // tests/windows/e2e_cloud_test.sh measures "approved before NotBefore" with these two.
    test::MetadataEmulator emulator("vm-7");
    auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'250));
    emulator.wall_now = [&] { return now; };
    auto id = emulator.add_azure_event("Terminate", 60s);
    now += 12'500ms;
    test::EmulatorRequest approve{"POST",
                                  "/metadata/scheduledevents?api-version=2020-07-01",
                                  {{"metadata", "true"}},
                                  R"({"StartRequests": [{"EventId": ")" + id + R"("}]})"};
    CHECK(emulator.handle(approve).status == 200);
    now += 1s;
    CHECK(emulator.handle(approve).status == 200);  // a second approval keeps the first one's time
    auto report = emulator.report();
    CHECK(report["not_before_ms"][id] == 1'700'000'060'000);  // whole seconds, as the event's NotBefore says
    CHECK(report["approved_at_ms"][id] == 1'700'000'012'750);
    CHECK(report["approved_at_ms"].size() == 1);
}

TEST_CASE("cloud: Azure's slow first answer is a timeout to look past, not a failure") {
    test::MetadataEmulator emulator("vm-7");
    emulator.azure_slow_first = 90s;
    auto watcher = make_azure_watcher(emulator_http(emulator));
    auto first = watcher->poll();
    REQUIRE_FALSE(first);
    CAPTURE(first.error());
    CHECK(first.error().find("no answer within 10") != std::string::npos);
    auto second = watcher->poll();
    REQUIRE(second);
    CHECK(second->empty());
}

TEST_CASE(
    "cloud: the AWS watcher gets a token, renews it on 401 and before it runs out, and reads 404 as "
    "nothing") {
    test::FakeClock clock;
    test::MetadataEmulator emulator;
    emulator.steady_now = [&] { return clock.now(); };
    std::vector<HttpRequest> sent;
    auto watcher = make_aws_watcher(emulator_http(emulator, &sent), clock);
    auto none = watcher->poll();
    REQUIRE(none);
    CHECK(none->empty());  // spot 404, lifecycle InService
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].method == boost::beast::http::verb::put);
    CHECK(sent[0].headers.front().first == "X-aws-ec2-metadata-token-ttl-seconds");
    CHECK(sent[1].headers.front().first == "X-aws-ec2-metadata-token");

    emulator.expire_aws_tokens();
    emulator.set_aws_spot("terminate", 120s);
    auto found = watcher->poll();
    REQUIRE(found);
    REQUIRE(found->size() == 1);
    CHECK(found->front().type == "spot terminate");
    CHECK(sent.size() == 3 + 4);  // 401, PUT, GET, GET
    auto tokens = [&] {
        return std::count_if(sent.begin(), sent.end(),
                             [](const HttpRequest& r) { return r.method == boost::beast::http::verb::put; });
    };
    CHECK(tokens() == 2);
    clock.advance(std::chrono::hours(6));  // the TTL: renewed before it runs out, without a 401
    REQUIRE(watcher->poll());
    CHECK(tokens() == 3);
    CHECK(emulator.report()["counts"].value("401", 0) == 1);

    emulator.clear_aws_spot();
    emulator.set_aws_lifecycle("Terminated");
    auto lifecycle = watcher->poll();
    REQUIRE(lifecycle);
    REQUIRE(lifecycle->size() == 1);
    CHECK(lifecycle->front().id == "lifecycle:Terminated");
    emulator.set_aws_lifecycle("");  // not in an Auto Scaling group: 404
    auto outside = watcher->poll();
    REQUIRE(outside);
    CHECK(outside->empty());
}

TEST_CASE("cloud: the GCP watcher sends Metadata-Flavor and long-polls after its first look") {
    test::MetadataEmulator emulator;
    emulator.long_poll_scale = 0;
    std::vector<HttpRequest> sent;
    auto watcher = make_gcp_watcher(emulator_http(emulator, &sent));
    auto first = watcher->poll();
    REQUIRE(first);
    CHECK(first->empty());
    CHECK(sent[0].target == "/computeMetadata/v1/instance/preempted");
    CHECK(sent[0].headers.front() == std::pair<std::string, std::string>{"Metadata-Flavor", "Google"});
    emulator.set_gcp_preempted(true);
    auto found = watcher->poll();
    REQUIRE(found);
    REQUIRE(found->size() == 1);
    CHECK(found->front().id == "preempted");
    CHECK(sent[1].target == "/computeMetadata/v1/instance/preempted?wait_for_change=true&timeout_sec=5");
    CHECK(watcher->poll_interval() == Duration(0));
}

TEST_CASE("cloud: an Azure Terminate is drained before NotBefore, left, removed, approved, once") {
    HandlerRig rig(CloudKind::azure);
    auto id = rig.emulator.add_azure_event("Terminate", 60s);
    {
        auto handler = rig.handler();
        handler.step();
        REQUIRE(rig.exit.calls.size() == 1);
        CHECK(rig.exit.calls[0].drain);
        CHECK(rig.exit.calls[0].leave);
        CHECK(rig.exit.calls[0].remove_entry);
        CHECK(rig.exit.calls[0].deadline ==
              Duration(45'000));  // NotBefore 60 s ahead, 15 s kept for the rest
        CHECK(rig.emulator.approvals() == std::vector<std::string>{id});
        auto ledger = rig.ledger();
        auto* record = ledger.find("azure", id);
        REQUIRE(record);
        CHECK(record->phase == "approved");
        CHECK(handler.holds_node());
        handler.step();  // the event is still shown (Started): nothing twice
        CHECK(rig.exit.calls.size() == 1);
        CHECK(rig.emulator.approvals().size() == 1);
    }
    // A restarted agent reads the ledger: still nothing twice, and it holds the node out from the start.
    rig.make_watcher(CloudKind::azure);
    auto again = rig.handler();
    CHECK(again.holds_node());
    again.step();
    CHECK(rig.exit.calls.size() == 1);
    CHECK(rig.emulator.approvals().size() == 1);
}

TEST_CASE("cloud: a restart between leaving and approving approves without leaving again") {
    HandlerRig rig(CloudKind::azure);
    auto id = rig.emulator.add_azure_event("Preempt", 30s);
    NoticeLedger ledger;
    ledger.records.push_back(
        {"azure", id, "Preempt", "leave", "", "left", "left the swarm; approving", "", "", ""});
    write_notice_ledger(rig.dir.path / "state.notices.json", ledger);
    auto handler = rig.handler();
    handler.step();
    CHECK(rig.exit.calls.empty());
    CHECK(rig.emulator.approvals() == std::vector<std::string>{id});
    CHECK(rig.ledger().find("azure", id)->phase == "approved");
}

TEST_CASE("cloud: a drain that runs out of time still leaves; a refused leave is not approved") {
    SUBCASE("deadline") {
        HandlerRig rig(CloudKind::azure);
        rig.exit.failures = {ExitCode::drain_deadline};
        auto id = rig.emulator.add_azure_event("Preempt", 30s);
        auto handler = rig.handler();
        handler.step();
        REQUIRE(rig.exit.calls.size() == 2);
        CHECK(rig.exit.calls[0].deadline == Duration(15'000));
        CHECK_FALSE(rig.exit.calls[1].drain);
        CHECK(rig.exit.calls[1].leave);
        CHECK(rig.emulator.approvals() == std::vector<std::string>{id});
    }
    SUBCASE("quorum") {
        HandlerRig rig(CloudKind::azure);
        rig.exit.failures = {ExitCode::quorum_refused};
        auto id = rig.emulator.add_azure_event("Terminate", 600s);
        auto handler = rig.handler();
        handler.step();
        CHECK(rig.exit.calls.size() == 1);
        CHECK(rig.emulator.approvals().empty());
        CHECK(rig.ledger().find("azure", id)->phase == "failed");
        handler.step();
        CHECK(rig.exit.calls.size() == 1);  // failed is final: no second try per poll
    }
}

TEST_CASE(
    "cloud: a Reboot drains, approves, and sets the node active once the event is over; Freeze is logged") {
    HandlerRig rig(CloudKind::azure);
    auto reboot = rig.emulator.add_azure_event("Reboot", 600s);
    auto freeze = rig.emulator.add_azure_event("Freeze", 30s);
    auto handler = rig.handler();
    handler.step();
    REQUIRE(rig.exit.calls.size() == 1);
    CHECK(rig.exit.calls[0].drain);
    CHECK_FALSE(rig.exit.calls[0].leave);
    CHECK_FALSE(rig.exit.calls[0].remove_entry);
    CHECK(rig.exit.calls[0].deadline == Duration(585'000));
    CHECK(rig.emulator.approvals() == std::vector<std::string>{reboot});
    CHECK(rig.ledger().find("azure", freeze)->phase == "logged");
    CHECK(rig.reactivations == 0);
    rig.emulator.clear_azure_events();   // the reboot is over
    rig.make_watcher(CloudKind::azure);  // and the agent started again after it
    auto after_boot = rig.handler();
    after_boot.step();
    CHECK(rig.reactivations == 1);
    CHECK(rig.ledger().find("azure", reboot)->phase == "returned");
    CHECK_FALSE(after_boot.holds_node());
    after_boot.step();
    CHECK(rig.reactivations == 1);
}

TEST_CASE(
    "cloud: an AWS spot terminate gets its 2 minutes, a lifecycle Terminated the default, GCP its 30 s") {
    SUBCASE("spot") {
        HandlerRig rig(CloudKind::aws);
        rig.emulator.set_aws_spot("terminate", 120s);
        auto handler = rig.handler();
        handler.step();
        REQUIRE(rig.exit.calls.size() == 1);
        CHECK(rig.exit.calls[0].deadline == Duration(105'000));
        auto record = rig.ledger().records.at(0);
        CHECK(record.phase == "done");
        CHECK(record.type == "spot terminate");
        handler.step();
        CHECK(rig.exit.calls.size() == 1);
    }
    SUBCASE("lifecycle") {
        HandlerRig rig(CloudKind::aws);
        rig.emulator.set_aws_lifecycle("Terminated");
        auto handler = rig.handler();
        handler.step();
        REQUIRE(rig.exit.calls.size() == 1);
        CHECK(rig.exit.calls[0].deadline == Duration(105'000));
    }
    SUBCASE("gcp") {
        HandlerRig rig(CloudKind::gcp);
        auto handler = rig.handler();
        handler.step();
        CHECK(rig.exit.calls.empty());
        CHECK_FALSE(handler.holds_node());
        rig.emulator.set_gcp_preempted(true);
        handler.step();
        REQUIRE(rig.exit.calls.size() == 1);
        CHECK(rig.exit.calls[0].deadline == Duration(15'000));
        CHECK(rig.ledger().find("gcp", "preempted")->phase == "done");
        CHECK(handler.holds_node());
    }
}

TEST_CASE("cloud: a notice the cloud withdraws releases the node") {
    HandlerRig rig(CloudKind::aws);
    rig.emulator.set_aws_spot("stop", 120s);
    auto handler = rig.handler();
    handler.step();
    CHECK(handler.holds_node());
    rig.emulator.clear_aws_spot();
    handler.step();
    CHECK_FALSE(handler.holds_node());
    CHECK(rig.ledger().records.at(0).doing.find("withdrawn") != std::string::npos);
}
