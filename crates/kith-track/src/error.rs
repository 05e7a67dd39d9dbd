//! The one error type of this crate.

/// What went wrong in an operations call. The variants map onto HTTP status
/// classes (`kith-server` does that mapping): `Invalid` 422, `NotFound` 404,
/// `Conflict` 409, `Database` 500.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request breaks a rule (bad value, unknown currency, expired link).
    #[error("{0}")]
    Invalid(String),
    /// The named thing does not exist in this workspace.
    #[error("{0} not found")]
    NotFound(String),
    /// The request clashes with what is stored (a taken slug, an
    /// idempotency key reused with another body).
    #[error("{0}")]
    Conflict(String),
    /// The database failed or could not be reached.
    #[error("database: {0}")]
    Database(String),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Error::Conflict(format!("already exists: {}", db.message()));
            }
            if db.is_foreign_key_violation() {
                return Error::NotFound("a referenced record".into());
            }
        }
        Error::Database(e.to_string())
    }
}
