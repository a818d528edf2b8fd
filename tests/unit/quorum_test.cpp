// Raft's arithmetic for the managers, shared by the leave's quorum guard and the reaper.

#include "agent/leave/quorum.hpp"

#include "sb_doctest.hpp"

using namespace sb;

namespace {

Node manager(const std::string& id, const std::string& reachability) {
    Node n;
    n.id = id;
    n.role = "manager";
    n.reachability = reachability;
    return n;
}

Node worker(const std::string& id) {
    Node n;
    n.id = id;
    n.role = "worker";
    return n;
}

struct QuorumCase {
    const char* name;
    int members;
    int reachable;
    bool removed_reachable;
    bool keeps;
};

}  // namespace

TEST_CASE("count_managers counts managers and the reachable ones, never workers") {
    auto c = count_managers({manager("a", "reachable"), manager("b", "unreachable"),
                             manager("c", "reachable"), worker("d"), worker("e")});
    CHECK(c.members == 3);
    CHECK(c.reachable == 2);
    CHECK(count_managers({}).members == 0);
    // A manager whose reachability is not yet known is a member, but not reachable.
    auto unknown = count_managers({manager("a", "reachable"), manager("b", "")});
    CHECK(unknown.members == 2);
    CHECK(unknown.reachable == 1);
}

TEST_CASE("quorum_after_removing counts as raft does") {
    const QuorumCase cases[] = {
        {"3 managers, all up: one leaves, 2 of 2 remain", 3, 3, true, true},
        {"3 managers, 1 down: a second leaving leaves 1 of 2", 3, 2, true, false},
        {"3 managers, 1 down: removing the down one leaves 2 of 2", 3, 2, false, true},
        {"2 managers: one leaves, 1 of 1 remains", 2, 2, true, true},
        {"5 managers, 2 down: removing a down one leaves 3 of 4", 5, 3, false, true},
        {"5 managers, 2 down: one more leaving leaves 2 of 4", 5, 3, true, false},
        {"the last manager never keeps quorum", 1, 1, true, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        auto v = quorum_after_removing({c.members, c.reachable}, c.removed_reachable);
        CHECK(v.keeps_quorum == c.keeps);
        CHECK(!v.reason.empty());
    }
    auto refused = quorum_after_removing({3, 2}, true);
    CHECK(refused.reason == "1 of 2 remaining managers reachable, 2 needed for a quorum");
    CHECK(quorum_after_removing({1, 1}, true).reason.find("last manager") != std::string::npos);
}
