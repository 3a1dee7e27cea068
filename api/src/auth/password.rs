//! Password hashing with argon2id (the crate's default parameters: 19 MiB, 2 passes, 1 lane,
//! OWASP's recommendation). Hashing is deliberately slow, so it runs on the blocking pool and
//! never stalls the async workers that serve other requests.
//!
//! Each hash holds 19 MiB while it runs, so hashes run behind a gate: on a pool of their own
//! with one thread per core, a bounded queue in front, and `RATE_LIMITED` past the queue. A
//! burst of sign-ins costs at most `cores × 19 MiB` while it lasts and a short wait, never the
//! machine's memory; the memory is given back as each hash ends (`compute`).

use anyhow::anyhow;
use argon2::password_hash::{self, Output, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHasher, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// Shortest and longest passwords accepted, counted in characters (a Chinese passphrase counts
/// each character once).
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Rejects a new password that is too short or too long, or easy to guess: zxcvbn's estimate
/// (which knows the commonest passwords, keyboard walks, dates, repeats and the username) must
/// be at least "safely unguessable" for an online attack (score 3 of 4). Naming the field.
pub fn validate_new_password(field: &str, password: &str, username: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::bad_field(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AppError::bad_field(
            field,
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let username = username.trim().to_lowercase();
    if !username.is_empty() && password.to_lowercase().contains(&username) {
        return Err(AppError::bad_field(field, "must not contain the username"));
    }
    let estimate = zxcvbn::zxcvbn(password, &[username.as_str(), "duban", "督办"]);
    if estimate.score() < zxcvbn::Score::Three {
        let why = estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map_or_else(
                || "it is a common pattern".to_owned(),
                |warning| warning.to_string(),
            );
        return Err(AppError::bad_field(
            field,
            format!("is too easy to guess ({why}); a few unrelated words make a good password"),
        ));
    }
    Ok(())
}

/// Runs one hash behind the gate, on the hashing pool.
async fn gated<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let gate = &*GATE;
    let permit = match gate.permits.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            let _waiting = Waiting::join(gate)?;
            gate.permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|err| AppError::Internal(err.into()))?
        }
    };
    let (done, result) = tokio::sync::oneshot::channel();
    gate.pool.spawn(move || {
        let running = gate.running.fetch_add(1, Ordering::SeqCst) + 1;
        gate.peak.fetch_max(running, Ordering::SeqCst);
        let output = work();
        gate.running.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        // The request may have gone; its result is then dropped.
        let _ = done.send(output);
    });
    result
        .await
        .map_err(|err| AppError::Internal(anyhow!("a password hash was lost: {err}")))
}

/// The hashes allowed to run at once, and the queue behind them.
struct Gate {
    cores: usize,
    pool: rayon::ThreadPool,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

static GATE: LazyLock<Gate> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    Gate {
        cores,
        pool: rayon::ThreadPoolBuilder::new()
            .num_threads(cores)
            .thread_name(|i| format!("password-hash-{i}"))
            .build()
            .expect("the password hashing threads start"),
        permits: Arc::new(Semaphore::new(cores)),
        // A few seconds of waiting at ~30 ms a hash per core.
        max_waiting: cores * 32,
        waiting: AtomicUsize::new(0),
        running: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
    }
});

/// A place in the queue, given back when the wait ends (or the request is dropped).
struct Waiting(&'static Gate);

impl Waiting {
    fn join(gate: &'static Gate) -> AppResult<Self> {
        if gate.waiting.fetch_add(1, Ordering::SeqCst) >= gate.max_waiting {
            gate.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::rate_limited(
                "too many sign-ins at once; try again in a few seconds",
                2,
            ));
        }
        Ok(Self(gate))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How many hashes may run at once (the machine's cores).
pub fn concurrency() -> usize {
    GATE.cores
}

/// The most hashes that ever ran at once in this process: never above `concurrency()`.
pub fn peak_concurrency() -> usize {
    GATE.peak.load(Ordering::SeqCst)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String) -> AppResult<String> {
    gated(move || {
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::default();
        let output = compute(
            Algorithm::Argon2id,
            Version::V0x13,
            &params,
            password.as_bytes(),
            salt.as_salt(),
            Params::DEFAULT_OUTPUT_LEN,
        )?;
        Ok(PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: (&params).try_into()?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        }
        .to_string())
    })
    .await?
    .map_err(|err: password_hash::Error| {
        AppError::Internal(anyhow!("password hashing failed: {err}"))
    })
}

/// Checks a password against a stored PHC string. `None` verifies against a dummy hash, so
/// that an unknown username costs as much time as a wrong password and cannot be told apart.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    gated(move || {
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&stored)
            .map_err(|err| AppError::Internal(anyhow!("stored password hash is invalid: {err}")))?;
        let invalid =
            |err: password_hash::Error| AppError::Internal(anyhow!("stored password hash: {err}"));
        let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
            return Err(AppError::Internal(anyhow!(
                "stored password hash has no salt or output"
            )));
        };
        let algorithm = Algorithm::try_from(parsed.algorithm).map_err(invalid)?;
        let version = parsed
            .version
            .map(|version| Version::try_from(version).map_err(password_hash::Error::from))
            .transpose()
            .map_err(invalid)?
            .unwrap_or_default();
        let params = Params::try_from(&parsed).map_err(invalid)?;
        let computed = compute(
            algorithm,
            version,
            &params,
            password.as_bytes(),
            salt,
            expected.len(),
        )
        .map_err(invalid)?;
        // `Output`'s equality is constant-time.
        Ok(computed == expected)
    })
    .await?
}

/// The argon2 output of a password and salt. What `argon2`'s `PasswordHasher` does, with the
/// working memory (19 MiB with the default parameters) allocated here, for this hash alone, and
/// freed as it ends: the allocator (mimalloc, `main.rs`) gives a freed block back to the system
/// at its next purge (any later allocation work does it), so the server's resident memory does
/// not keep `cores × 19 MiB` for the rest of its life after a few sign-ins (it kept 38 MiB on
/// two cores when each hashing thread held on to its block). glibc's allocator would keep the
/// freed blocks in its arenas (`tests/burst`). Allocating costs about a millisecond against a
/// hash's 20–30.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &[u8],
    salt: password_hash::Salt<'_>,
    output_len: usize,
) -> password_hash::Result<Output> {
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let mut blocks = vec![Block::default(); params.block_count()];
    Output::init_with(output_len, |out| {
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut blocks)
            .map_err(password_hash::Error::from)
    })
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"not a real password", &salt)
        .expect("hashing a constant cannot fail")
        .to_string()
});

/// A random password for generated accounts: 20 characters from an alphabet without look-alikes.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        let ours = hash("正确的马电池订书钉".to_owned()).await.unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password("正确的马电池订书钉".as_bytes(), &parsed)
                .is_ok()
        );

        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery staple", &salt)
            .unwrap()
            .to_string();
        assert!(
            verify(
                "correct horse battery staple".to_owned(),
                Some(theirs.clone())
            )
            .await
            .unwrap()
        );
        assert!(!verify("wrong".to_owned(), Some(theirs)).await.unwrap());
        assert!(!verify("anything".to_owned(), None).await.unwrap());
    }
}
