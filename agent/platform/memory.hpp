#pragma once

namespace sb {

// Gives back what the join needed and an idle watch loop does not: free heap pages, and the resident pages of
// code (the join phases, JSON, TLS set-up) that the next check will fault in again only as far as it uses
// them. Called once a join cycle is over; it never changes what the process does.
void release_unused_memory();

}  // namespace sb
