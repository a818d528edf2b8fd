// Windows: the firewall's rules read through INetFwPolicy2 (COM), the path MTU as the MTU of the interface
// the route to a manager leaves by (Windows has no per-socket IP_MTU), the addresses from
// GetAdaptersAddresses. Under wine, whose firewall object is a stub, the Firewall check says so.

// The order matters: winsock2.h before windows.h, iphlpapi.h after both.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <netfw.h>
#include <objbase.h>
#include <oleauto.h>
// clang-format on

#include <cstdio>
#include <sstream>
#include <thread>

#include "agent/check/checks.hpp"
#include "agent/check/probes.hpp"
#include "agent/platform/platform.hpp"
#include "common/detached_thread.hpp"
#include "common/win32.hpp"

namespace sb::check {

namespace {

// Spelled out rather than linked from libuuid: the two identifiers this file needs.
constexpr GUID clsid_net_fw_policy2 = {
    0xe2b3c97f, 0x6ae1, 0x41ac, {0x81, 0x7a, 0xf6, 0xf9, 0x21, 0x66, 0xd7, 0xdd}};
constexpr GUID iid_net_fw_policy2 = {
    0x98325047, 0xc671, 0x4174, {0x8d, 0x81, 0xde, 0xfc, 0xd3, 0xf0, 0x31, 0x86}};
constexpr GUID iid_net_fw_rule = {
    0xaf230d27, 0xbaba, 0x4e42, {0xac, 0xed, 0xf5, 0x24, 0xf2, 0x2c, 0xfc, 0xe2}};

// NET_FW_IP_PROTOCOL_ANY, which mingw's icftypes.h lacks.
constexpr long any_protocol = 256;

// wine's ntdll exports wine_get_version; Windows' does not.
const char* wine_version() {
    auto* ntdll = ::GetModuleHandleW(L"ntdll.dll");
    if (ntdll == nullptr) {
        return nullptr;
    }
    using Fn = const char*(__cdecl*)();
    auto fn = reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(ntdll, "wine_get_version")));
    return fn != nullptr ? fn() : nullptr;
}

std::string hresult_text(const char* what, HRESULT hr) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s failed (HRESULT 0x%08lx)", what, static_cast<unsigned long>(hr));
    std::string text = buf;
    if (const char* wine = wine_version()) {
        text += ": running under wine " + std::string(wine) + ", which has no Windows firewall to read";
    }
    return text;
}

template <class T>
struct ComPtr {
    T* p = nullptr;
    ~ComPtr() {
        if (p != nullptr) {
            p->Release();
        }
    }
    T** out() { return &p; }
    T* operator->() const { return p; }
};

struct Bstr {
    BSTR s = nullptr;
    ~Bstr() { ::SysFreeString(s); }
};

// "*", "2377", "7946,4789", "4000-5000", "RPC" ...
bool ports_match(const std::wstring& list, std::uint16_t port) {
    if (list.empty() || list == L"*") {
        return true;
    }
    std::wstringstream in(list);
    std::wstring item;
    while (std::getline(in, item, L',')) {
        auto dash = item.find(L'-');
        try {
            if (dash == std::wstring::npos) {
                if (std::stoul(item) == port) {
                    return true;
                }
            } else if (std::stoul(item.substr(0, dash)) <= port &&
                       port <= std::stoul(item.substr(dash + 1))) {
                return true;
            }
        } catch (const std::exception&) {
            // A keyword (RPC, IPHTTPS ...): not a port number.
        }
    }
    return false;
}

Probe<std::vector<FirewallPort>> read_firewall(std::vector<FirewallPort> wanted) {
    HRESULT init = ::CoInitializeEx(nullptr, COINIT_MULTITHREADED);
    const bool uninit = SUCCEEDED(init);
    struct Uninit {
        bool on;
        ~Uninit() {
            if (on) {
                ::CoUninitialize();
            }
        }
    } uninit_guard{uninit};

    ComPtr<INetFwPolicy2> policy;
    HRESULT hr = ::CoCreateInstance(clsid_net_fw_policy2, nullptr, CLSCTX_INPROC_SERVER, iid_net_fw_policy2,
                                    reinterpret_cast<void**>(policy.out()));
    if (FAILED(hr)) {
        return sb::unexpected(hresult_text("CoCreateInstance(NetFwPolicy2)", hr));
    }
    long profiles = 0;
    if (hr = policy->get_CurrentProfileTypes(&profiles); FAILED(hr)) {
        return sb::unexpected(hresult_text("INetFwPolicy2::get_CurrentProfileTypes", hr));
    }
    // The firewall filters only in the profiles where it is on and blocks by default.
    bool filtering = false;
    for (long bit : {NET_FW_PROFILE2_DOMAIN, NET_FW_PROFILE2_PRIVATE, NET_FW_PROFILE2_PUBLIC}) {
        if ((profiles & bit) == 0) {
            continue;
        }
        VARIANT_BOOL enabled = VARIANT_FALSE;
        NET_FW_ACTION inbound = NET_FW_ACTION_BLOCK;
        if (hr = policy->get_FirewallEnabled(static_cast<NET_FW_PROFILE_TYPE2>(bit), &enabled); FAILED(hr)) {
            return sb::unexpected(hresult_text("INetFwPolicy2::get_FirewallEnabled", hr));
        }
        if (hr = policy->get_DefaultInboundAction(static_cast<NET_FW_PROFILE_TYPE2>(bit), &inbound);
            FAILED(hr)) {
            return sb::unexpected(hresult_text("INetFwPolicy2::get_DefaultInboundAction", hr));
        }
        filtering = filtering || (enabled != VARIANT_FALSE && inbound == NET_FW_ACTION_BLOCK);
    }
    if (!filtering) {
        for (auto& w : wanted) {
            w.allowed = true;
        }
        return wanted;
    }
    ComPtr<INetFwRules> rules;
    if (hr = policy->get_Rules(rules.out()); FAILED(hr)) {
        return sb::unexpected(hresult_text("INetFwPolicy2::get_Rules", hr));
    }
    ComPtr<IUnknown> unknown;
    if (hr = rules->get__NewEnum(unknown.out()); FAILED(hr)) {
        return sb::unexpected(hresult_text("INetFwRules::get__NewEnum", hr));
    }
    ComPtr<IEnumVARIANT> items;
    if (hr = unknown->QueryInterface(IID_IEnumVARIANT, reinterpret_cast<void**>(items.out())); FAILED(hr)) {
        return sb::unexpected(hresult_text("IEnumVARIANT", hr));
    }
    VARIANT v;
    ::VariantInit(&v);
    while (items->Next(1, &v, nullptr) == S_OK) {
        ComPtr<INetFwRule> rule;
        if (v.vt == VT_DISPATCH && v.pdispVal != nullptr &&
            SUCCEEDED(v.pdispVal->QueryInterface(iid_net_fw_rule, reinterpret_cast<void**>(rule.out())))) {
            VARIANT_BOOL enabled = VARIANT_FALSE;
            NET_FW_RULE_DIRECTION dir = NET_FW_RULE_DIR_OUT;
            NET_FW_ACTION action = NET_FW_ACTION_BLOCK;
            long protocol = 0;
            long rule_profiles = 0;
            Bstr ports;
            if (SUCCEEDED(rule->get_Enabled(&enabled)) && enabled != VARIANT_FALSE &&
                SUCCEEDED(rule->get_Direction(&dir)) && dir == NET_FW_RULE_DIR_IN &&
                SUCCEEDED(rule->get_Action(&action)) && action == NET_FW_ACTION_ALLOW &&
                SUCCEEDED(rule->get_Protocol(&protocol)) && SUCCEEDED(rule->get_Profiles(&rule_profiles)) &&
                (rule_profiles & profiles) != 0 && SUCCEEDED(rule->get_LocalPorts(&ports.s))) {
                std::wstring list = ports.s != nullptr ? std::wstring(ports.s) : std::wstring();
                for (auto& w : wanted) {
                    const long want = w.protocol == "tcp" ? NET_FW_IP_PROTOCOL_TCP : NET_FW_IP_PROTOCOL_UDP;
                    if ((protocol == want || protocol == any_protocol) && ports_match(list, w.port)) {
                        w.allowed = true;
                    }
                }
            }
        }
        ::VariantClear(&v);
    }
    return wanted;
}

Probe<int> windows_path_mtu(const std::string& host) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), "4789", &hints, &found); rc != 0) {
        return sb::unexpected("cannot resolve " + host + ": " + win32::error_text(static_cast<DWORD>(rc)));
    }
    DWORD index = 0;
    DWORD rc = ::GetBestInterfaceEx(found->ai_addr, &index);
    ::freeaddrinfo(found);
    if (rc != NO_ERROR) {
        return sb::unexpected("GetBestInterfaceEx: " + win32::error_text(rc));
    }
    MIB_IF_ROW2 row{};
    row.InterfaceIndex = index;
    if (rc = ::GetIfEntry2(&row); rc != NO_ERROR) {
        return sb::unexpected("GetIfEntry2: " + win32::error_text(rc));
    }
    if (row.Mtu == 0 || row.Mtu > 65535) {
        return sb::unexpected("the interface towards " + host + " reports no MTU");
    }
    return static_cast<int>(row.Mtu);
}

Probe<std::vector<std::string>> windows_addresses() {
    ULONG size = 16 * 1024;
    std::vector<unsigned char> buf;
    ULONG rc = ERROR_BUFFER_OVERFLOW;
    for (int i = 0; i < 3 && rc == ERROR_BUFFER_OVERFLOW; ++i) {
        buf.resize(size);
        rc = ::GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST, nullptr,
                                    reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()), &size);
    }
    if (rc != NO_ERROR) {
        return sb::unexpected("GetAdaptersAddresses: " + win32::error_text(rc));
    }
    std::vector<std::string> out;
    for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()); a != nullptr; a = a->Next) {
        for (auto* u = a->FirstUnicastAddress; u != nullptr; u = u->Next) {
            char text[INET6_ADDRSTRLEN] = {};
            const auto* sa = u->Address.lpSockaddr;
            if (sa->sa_family == AF_INET) {
                ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
            } else if (sa->sa_family == AF_INET6) {
                ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text,
                            sizeof text);
            } else {
                continue;
            }
            out.emplace_back(text);
        }
    }
    return out;
}

// Whether the sockets bound to `port`/udp are all owned by no process (pid 0 or 4, "System"): the kernel's,
// as a VXLAN's is. Under wine that is the Linux kernel's VXLAN of the engine's own swarm, which can outlive a
// leave by a minute. Unknown (false) when the table cannot be read.
bool udp_port_system_only(std::uint16_t port) {
    std::vector<char> buffer(16 * 1024);
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto size = static_cast<DWORD>(buffer.size());
        DWORD rc = ::GetExtendedUdpTable(buffer.data(), &size, FALSE, AF_INET, UDP_TABLE_OWNER_PID, 0);
        if (rc == ERROR_INSUFFICIENT_BUFFER) {
            buffer.resize(size + 1024);
            continue;
        }
        if (rc != NO_ERROR) {
            return false;
        }
        const auto* table = reinterpret_cast<const MIB_UDPTABLE_OWNER_PID*>(buffer.data());
        bool seen = false;
        for (DWORD i = 0; i < table->dwNumEntries; ++i) {
            const auto& row = table->table[i];
            if (::ntohs(static_cast<u_short>(row.dwLocalPort)) != port) {
                continue;
            }
            if (row.dwOwningPid != 0 && row.dwOwningPid != 4) {
                return false;
            }
            seen = true;
        }
        return seen;
    }
    return false;
}

// A port held only by the system is not another program's: say so rather than call it taken.
Probe<bool> windows_udp_port_free(std::uint16_t port) {
    auto free = udp_port_free(port);
    if (free && !*free && udp_port_system_only(port)) {
        return sb::unexpected(
            std::string("it is held by the system, no process: a VXLAN's socket (this "
                        "engine's own from a recent leave, or another overlay's)"));
    }
    return free;
}

}  // namespace

std::vector<std::unique_ptr<Checker>> platform_checkers() {
    std::vector<std::unique_ptr<Checker>> out;
    out.push_back(make_firewall_check());
    return out;
}

Probes platform_probes() {
    Probes p;
    p.now = [] { return std::chrono::system_clock::now(); };
    p.tcp_open = tcp_open;
    p.path_mtu = windows_path_mtu;
    p.udp_port_free = windows_udp_port_free;
    p.local_addresses = windows_addresses;
    p.firewall = read_firewall;
    p.host_name = platform::host_name;
    p.spawn = spawn_detached;
    return p;
}

}  // namespace sb::check
