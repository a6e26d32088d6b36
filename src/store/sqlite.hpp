// A thin RAII layer over the SQLite C API, private to the store module.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace uplink::store {

// An SQLite result code as the store's Errc (primary codes; the extended ones are only logged).
Error sqlite_error(int result_code);

struct DatabaseCloser {
    void operator()(sqlite3* database) const;
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

// Runs SQL that returns no rows (several statements allowed).
Result<void> execute(sqlite3* database, const char* sql);

class Statement {
public:
    static Result<Statement> prepare(sqlite3* database, std::string_view sql);

    // Resets the statement and clears its bindings, ready for a new use.
    Statement& start();
    Statement& bind(int position, std::int64_t value);
    Statement& bind(int position, std::string_view value); // copied

    // true: a row is ready to read; false: done. Errors leave the statement to the next start().
    Result<bool> step();
    // Steps a statement that returns no rows to its end, then releases it.
    Result<void> run();
    // Releases the statement's read lock without waiting for the next start().
    void finish();

    std::int64_t integer(int column) const;
    std::string_view text(int column) const;

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* statement) const;
    };
    std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
};

} // namespace uplink::store
