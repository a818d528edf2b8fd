#include "agent/node/node_labels.hpp"

#include "sb_doctest.hpp"

using namespace sb;

TEST_CASE("Linux labels come from /info and /version") {
    auto info = parse_info(nlohmann::json::parse(R"json({
        "OSType": "linux", "OperatingSystem": "Debian GNU/Linux 12 (bookworm)", "OSVersion": "12",
        "KernelVersion": "6.1.0-18-amd64", "Architecture": "x86_64", "Name": "node-1",
        "Swarm": {"NodeID": "", "LocalNodeState": "inactive", "ControlAvailable": false, "RemoteManagers": null}})json"));
    VersionInfo version{"20.10.24+dfsg1", "1.41", "1.12", "linux", "amd64", "6.1.0", {}};
    auto got = platform_labels(info, version);
    CHECK(got == Labels{{"os", "linux"}, {"os.version", "12"}, {"arch", "amd64"}});
    CHECK(info.swarm.inactive());
    CHECK(info.swarm.remote_managers.empty());
}

TEST_CASE("arch falls back to /info's Architecture, in GOARCH spelling") {
    EngineInfo info;
    info.os_type = "linux";
    info.architecture = "aarch64";
    info.kernel_version = "6.1.0";
    auto got = platform_labels(info, VersionInfo{});
    CHECK(got.at("arch") == "arm64");
    CHECK(got.at("os.version") == "6.1.0");
}

TEST_CASE("the Windows build number from each of its spellings") {
    EngineInfo k;
    k.kernel_version = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)";
    CHECK(windows_build(k) == "20348");
    EngineInfo d;
    d.os_version = "10.0.14393";
    CHECK(windows_build(d) == "14393");
    EngineInfo o;
    o.operating_system = "Windows Server 2019 Datacenter Version 1809 (OS Build 17763.3650)";
    CHECK(windows_build(o) == "17763");
    CHECK(windows_build(EngineInfo{}).empty());
}
