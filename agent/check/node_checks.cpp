// Hostname: another node of the swarm has this node's name. After a join: NodeAddress (the address the
// managers see is this node's), NodeReady, NodeLabels.

#include <algorithm>
#include <memory>

#include "agent/check/check_support.hpp"
#include "agent/check/checks.hpp"
#include "common/host_name.hpp"

namespace sb::check {

namespace {

const Node* own_node(const Facts& f, const ManagerFacts& m) {
    for (const auto& n : *m.nodes) {
        if (!f.local_info.swarm.node_id.empty() && n.id == f.local_info.swarm.node_id) {
            return &n;
        }
    }
    return nullptr;
}

bool same_host_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

class Hostname final : public Checker {
  public:
    std::string_view name() const override { return "Hostname"; }
    Result run(const Facts& f) const override {
        const auto* m = f.manager_with_nodes();
        if (m == nullptr) {
            return skipped(name(), "no manager listed the swarm's nodes");
        }
        std::vector<std::string> namesakes;
        bool ready_namesake = false;
        for (const auto& n : *m->nodes) {
            if (f.own_node_ids.contains(n.id) || !same_host_name(n.hostname, f.host_name)) {
                continue;
            }
            // At one of this node's addresses it is this machine's earlier entry (a reimaged VM whose old
            // entry is still ready until its heartbeats run out, ~12 s), not a clone: a warning.
            const bool earlier_self = f.addresses && std::find(f.addresses->begin(), f.addresses->end(),
                                                               n.addr) != f.addresses->end();
            namesakes.push_back(n.id.substr(0, 12) + " (" + n.state +
                                (earlier_self ? ", at this node's address" : "") + ")");
            ready_namesake = ready_namesake || (n.state == "ready" && !earlier_self);
        }
        if (namesakes.empty()) {
            return ok(name(), "no other node is named " + f.host_name);
        }
        const std::string seen = "other node(s) named " + f.host_name + ": " + join_list(namesakes);
        if (ready_namesake && !f.prune_stale_nodes) {
            return problem(
                name(), Status::error, seen + ", one of them ready: two machines share this name",
                "give this machine its own hostname (a cloned image keeps its template's name), or "
                "remove the other node (docker node rm)");
        }
        return problem(name(), Status::warning, seen,
                       ready_namesake ? "give this machine its own hostname (a cloned image keeps its "
                                        "template's name)"
                                      : "remove the old entries (docker node rm), or let --prune-stale-nodes "
                                        "remove them after the join");
    }
};

// The after-join checks share this: find this node's entry on a manager, or say why not.
class AfterJoin : public Checker {
  public:
    When when() const override { return When::after_join; }
    Result run(const Facts& f) const final {
        if (!f.member()) {
            return skipped(name(), "this node is not a swarm member (yet)");
        }
        const auto* m = f.manager_with_nodes();
        if (m == nullptr) {
            return skipped(name(), "no manager listed the swarm's nodes");
        }
        const auto* node = own_node(f, *m);
        if (node == nullptr) {
            return problem(name(), Status::error,
                           "manager " + m->address + " has no node " + f.local_info.swarm.node_id,
                           "the node was removed from the swarm: run swarm-bootstrap rejoin");
        }
        return judge(f, *node);
    }

  protected:
    virtual Result judge(const Facts& f, const Node& node) const = 0;
};

class NodeAddress final : public AfterJoin {
  public:
    std::string_view name() const override { return "NodeAddress"; }

  protected:
    Result judge(const Facts& f, const Node& node) const override {
        if (!f.addresses) {
            return skipped(name(), "cannot list this node's addresses: " + f.addresses.error());
        }
        const auto& mine = *f.addresses;
        if (std::find(mine.begin(), mine.end(), node.addr) != mine.end()) {
            return ok(name(), "the managers see this node at " + node.addr + ", one of its addresses");
        }
        return problem(name(), Status::warning,
                       "the managers see this node at " + node.addr + ", which is none of its addresses (" +
                           join_list(mine) + "): NAT or the wrong network interface",
                       "rejoin with --advertise-addr (and --data-path-addr) set to the address the other "
                       "nodes reach this one at");
    }
};

class NodeReady final : public AfterJoin {
  public:
    std::string_view name() const override { return "NodeReady"; }

  protected:
    Result judge(const Facts&, const Node& node) const override {
        if (node.state == "ready") {
            return ok(name(), "node " + node.id.substr(0, 12) + " is ready");
        }
        return problem(name(), Status::error, "node " + node.id.substr(0, 12) + " is " + node.state,
                       "the managers do not hear from this node: check 2377/tcp towards them and this "
                       "engine's log (journalctl -u docker)");
    }
};

class NodeLabels final : public AfterJoin {
  public:
    std::string_view name() const override { return "NodeLabels"; }

  protected:
    Result judge(const Facts& f, const Node& node) const override {
        if (f.labels.empty()) {
            return ok(name(), "no labels configured");
        }
        std::vector<std::string> missing;
        for (const auto& [k, v] : f.labels) {
            auto it = node.labels.find(k);
            if (it == node.labels.end() || it->second != v) {
                missing.push_back(k + "=" + v);
            }
        }
        if (missing.empty()) {
            return ok(name(), std::to_string(f.labels.size()) + " label(s) present");
        }
        return problem(name(), Status::warning, "labels missing on the node: " + join_list(missing),
                       "run swarm-bootstrap join again (or let the service's next check put them back)");
    }
};

}  // namespace

std::unique_ptr<Checker> make_hostname_check() {
    return std::make_unique<Hostname>();
}
std::unique_ptr<Checker> make_node_address_check() {
    return std::make_unique<NodeAddress>();
}
std::unique_ptr<Checker> make_node_ready_check() {
    return std::make_unique<NodeReady>();
}
std::unique_ptr<Checker> make_node_labels_check() {
    return std::make_unique<NodeLabels>();
}

}  // namespace sb::check
