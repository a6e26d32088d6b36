// A thin RAII layer over the SQLite C API, private to the store module.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
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

// One kind of uplink database file.
struct Schema {
    // PRAGMA application_id: marks the file as this kind, so that another program's database (or
    // another of ours) is never taken for an empty one and altered.
    std::int64_t application_id;
    // migrations[n] takes the schema from version n to n + 1 (PRAGMA user_version). Append only.
    std::span<const char* const> migrations;
};

// Opens or creates the file and brings its schema up to date. A file that is not of this kind
// (garbage, a damaged page, another program's database, a newer schema) is an error and is left
// untouched; so is a file that cannot be written. The file stays locked while open (SQLite's
// exclusive locking mode), so a second uplinkd on the same file gets Errc::Busy.
Result<Database> open_database(const std::string& path, const Schema& schema);

// The "main" database's committed content as the bytes of a database file (sqlite3_serialize).
Result<std::string> serialize(sqlite3* database);

// Whether a transaction is open (a failed COMMIT may leave one open).
bool transaction_open(sqlite3* database);

// Runs `body` inside BEGIN IMMEDIATE .. COMMIT; on any failure, rolls back.
template <typename Body> Result<void> in_transaction(sqlite3* database, Body&& body)
{
    if (auto begun = execute(database, "BEGIN IMMEDIATE"); !begun)
        return begun;
    auto result = body();
    if (result)
        result = execute(database, "COMMIT");
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY) or have rolled it back.
    if (!result && transaction_open(database))
        (void)execute(database, "ROLLBACK");
    return result;
}

class Statement {
public:
    static Result<Statement> prepare(sqlite3* database, std::string_view sql);

    // Resets the statement and clears its bindings, ready for a new use.
    Statement& start();
    Statement& bind(int position, std::int64_t value);
    Statement& bind(int position, std::string_view value); // copied
    Statement& bind(int position, std::optional<int> value); // none: NULL

    // true: a row is ready to read; false: done. Errors leave the statement to the next start().
    Result<bool> step();
    // Steps a statement that returns no rows to its end, then releases it.
    Result<void> run();
    // Releases the statement's read lock without waiting for the next start().
    void finish();

    std::int64_t integer(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const; // none: NULL
    std::string_view text(int column) const;

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* statement) const;
    };
    std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
};

} // namespace uplink::store
