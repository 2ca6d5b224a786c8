-- Local users are OS account names; roles can later come from the team's server.
CREATE TABLE users (
  user_id TEXT PRIMARY KEY NOT NULL CHECK (length(user_id) BETWEEN 1 AND 256),
  display_name TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- A user may hold several roles; revoking deletes the row (the audit trail keeps the history).
CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users(user_id),
  role TEXT NOT NULL CHECK (role IN ('analyst', 'approver', 'admin')),
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;
