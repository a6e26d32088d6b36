// A database file in a fresh temporary directory, and SQL on it behind the store's back, as
// another program (or a test) would. The store must be closed first: it keeps the file locked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace uplink::store::testing {

class DatabaseFile {
public:
    explicit DatabaseFile(std::string_view name)
    {
        std::string pattern
            = (std::filesystem::temp_directory_path() / "uplink-store-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        directory = pattern;
        path = (directory / name).string();
    }
    ~DatabaseFile() { std::filesystem::remove_all(directory); }
    DatabaseFile(const DatabaseFile&) = delete;
    DatabaseFile& operator=(const DatabaseFile&) = delete;

    void write(std::string_view contents) const
    {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file << contents;
    }

    std::string contents() const
    {
        std::ifstream file(path, std::ios::binary);
        std::stringstream text;
        text << file.rdbuf();
        return text.str();
    }

    void run_sql(const char* sql) const
    {
        sqlite3* database = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &database), SQLITE_OK);
        char* message = nullptr;
        int result = sqlite3_exec(database, sql, nullptr, nullptr, &message);
        EXPECT_EQ(result, SQLITE_OK) << (message ? message : "");
        sqlite3_free(message);
        sqlite3_close(database);
    }

    // The integer the query's first row starts with.
    std::int64_t query_integer(const char* sql) const
    {
        sqlite3* database = nullptr;
        EXPECT_EQ(sqlite3_open(path.c_str(), &database), SQLITE_OK);
        sqlite3_stmt* statement = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(database, sql, -1, &statement, nullptr), SQLITE_OK);
        EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
        auto value = sqlite3_column_int64(statement, 0);
        sqlite3_finalize(statement);
        sqlite3_close(database);
        return value;
    }

    std::filesystem::path directory;
    std::string path;
};

} // namespace uplink::store::testing
