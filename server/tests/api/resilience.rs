//! Reliability with the real server binary on a private PostgreSQL of its own (issue 9,
//! items 10 and 11; QUALITY "Database outage", "Graceful shutdown"):
//! - PostgreSQL stops during traffic: pages answer a translated 503 page, server functions a
//!   503 the forms understand, `/readyz` fails; PostgreSQL comes back and within 5 s every
//!   page works again, with every change confirmed before the outage still there;
//! - SIGTERM: a request in flight (its body half sent) is still answered, new connections are
//!   refused, and the process exits cleanly.
//!
//! The cluster is started with the project's own `scripts/lib.sh` (as the test command does),
//! on its own port, and stopped at the end.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Runs `script` in bash with `scripts/lib.sh` loaded; its stdout, trimmed.
fn lib_sh(script: &str, args: &[&str]) -> String {
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("source scripts/lib.sh >&2; {script}"))
        .arg("lib_sh")
        .args(args)
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .expect("bash");
    assert!(output.status.success(), "{script} failed");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A private PostgreSQL cluster for one test, durable (fsync and synchronous commit on, unlike
/// the other tests' cluster): a crash must not lose what was confirmed.
struct Cluster {
    name: String,
    data_dir: String,
    url: String,
    /// The port it got (the one asked for, or the next free one).
    port: String,
}

impl Cluster {
    fn start(name: &str, port: u16, database: &str) -> Cluster {
        let out = lib_sh(
            "pg_start \"$1\" \"$2\" >&2 && pg_ensure_db \"$PG_URL_BASE\" \"$3\" fresh >&2 \
             && echo \"$PG_DATA_DIR $PG_URL_BASE\"",
            &[name, &port.to_string(), database],
        );
        let (data_dir, base) = out.split_once(' ').expect("data dir and url");
        Cluster {
            name: name.to_string(),
            data_dir: data_dir.to_string(),
            url: format!("{base}/{database}"),
            port: base.rsplit(':').next().expect("port").to_string(),
        }
    }

    /// Kills the server processes at once, as a crash or a failover would.
    fn crash(&self) {
        lib_sh(
            "pg_as_owner \"$(pg_bindir)/pg_ctl\" -D \"$1\" -m immediate -w stop >&2",
            &[&self.data_dir],
        );
    }

    /// Starts the same cluster again (same port and options).
    fn restart(&self) {
        lib_sh("pg_start \"$1\" \"$2\" >&2", &[&self.name, &self.port]);
    }

    fn stop(&self) {
        lib_sh(
            "pg_as_owner \"$(pg_bindir)/pg_ctl\" -D \"$1\" -m fast -w stop >&2 || true",
            &[&self.data_dir],
        );
    }
}

impl Drop for Cluster {
    /// Also when a test fails: no cluster is left running.
    fn drop(&mut self) {
        self.stop();
    }
}

/// The server process; killed if the test ends without stopping it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The server binary on `database_url`, with the demo data, listening on `addr`.
fn start_server(database_url: &str, addr: SocketAddr) -> Server {
    let site = std::env::temp_dir().join("selfcare-resilience-site");
    std::fs::create_dir_all(&site).expect("site dir");
    let child = Command::new(env!("CARGO_BIN_EXE_selfcare-server"))
        .env("DATABASE_URL", database_url)
        .env("SELFCARE_ADDR", addr.to_string())
        .env("SELFCARE_DEMO_DATA", "true")
        .env("SELFCARE_TODAY", "2026-11-22")
        .env("SELFCARE_SITE_ROOT", &site)
        .env("SELFCARE_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map(Server)
        .expect("server");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if request(addr, "GET", "/healthz", &[], "").is_some_and(|(s, _, _)| s == 200) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not come up on {addr}");
}

/// One HTTP/1.1 request on a new connection: (status, head, body); `None` when the server
/// cannot be reached.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    read_response(&mut stream)
}

fn read_response(stream: &mut TcpStream) -> Option<(u16, String, String)> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Some((status, head.to_string(), body))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
const JSON: (&str, &str) = ("Accept", "application/json");
const SAME_ORIGIN: (&str, &str) = ("Sec-Fetch-Site", "same-origin");

fn sign_in(addr: SocketAddr) -> String {
    let (status, head, body) = request(
        addr,
        "POST",
        "/api/sign_in",
        &[FORM, JSON, SAME_ORIGIN],
        "email=claire.dubois%40example.be&password=Trio-demo-2024&lang=fr",
    )
    .expect("sign-in");
    assert_eq!(status, 200, "{body}");
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: selfcare_session=")
                .then(|| {
                    l["set-cookie: ".len()..]
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
        })
        .expect("session cookie")
}

#[test]
fn a_database_outage_answers_503_and_recovers_within_five_seconds() {
    let cluster = Cluster::start("outage", 54351, "selfcare_outage");
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let server = start_server(&cluster.url, addr);
    let cookie = sign_in(addr);
    let with_cookie = [("Cookie", cookie.as_str()), ("Accept", "text/html")];

    // A change confirmed before the outage.
    let (status, _, body) = request(
        addr,
        "POST",
        "/api/save_alert",
        &[FORM, JSON, SAME_ORIGIN, ("Cookie", cookie.as_str())],
        "contract_number=100001-04&metric=data&threshold=42",
    )
    .expect("save alert");
    assert_eq!(status, 200, "{body}");
    let (status, _, page) = request(addr, "GET", "/fr", &with_cookie, "").expect("home");
    assert_eq!(status, 200);
    assert!(page.contains("Lumen"), "the home page renders");

    cluster.crash();
    let (status, _, page) = request(addr, "GET", "/fr", &with_cookie, "").expect("home");
    assert_eq!(status, 503, "{page}");
    assert!(
        page.contains("Le service est momentanément indisponible"),
        "a translated page: {page}"
    );
    let (status, _, body) = request(
        addr,
        "POST",
        "/api/home_overview",
        &[FORM, JSON, SAME_ORIGIN, ("Cookie", cookie.as_str())],
        "",
    )
    .expect("server function");
    assert_eq!((status, body.as_str()), (503, "\"Unavailable\""));
    let (status, _, _) = request(addr, "GET", "/readyz", &[], "").expect("readyz");
    assert_eq!(status, 503);
    let (status, _, _) = request(addr, "GET", "/healthz", &[], "").expect("healthz");
    assert_eq!(status, 200, "the process itself is fine");
    // While it is down, every page answers its 503 at once: no resource waits for the pool
    // (issue 24 item 8: 6–12 s before, each resource waiting out the acquire timeout). The
    // bar is 1 s; the check allows 2 s for a loaded machine and prints what it measured.
    let mut slowest = Duration::ZERO;
    for path in [
        "/fr",
        "/fr/invoices",
        "/fr/usage",
        "/fr/links",
        "/fr/account",
        "/fr/messages",
        // A download is not a page, and answers as fast (issue 24 item 8).
        "/usage.csv?kind=&period=&from=&to=&contract=&page=",
    ] {
        let asked = Instant::now();
        let (status, _, _) = request(addr, "GET", path, &with_cookie, "").expect("page");
        let took = asked.elapsed();
        assert_eq!(status, 503, "{path}");
        assert!(took < Duration::from_secs(2), "{path} took {took:?}");
        slowest = slowest.max(took);
    }
    println!("slowest 503 page while down: {} ms", slowest.as_millis());

    cluster.restart();
    let back = Instant::now();
    let recovered = loop {
        let home = request(addr, "GET", "/fr", &with_cookie, "").map(|(s, _, _)| s);
        let ready = request(addr, "GET", "/readyz", &[], "").map(|(s, _, _)| s);
        if home == Some(200) && ready == Some(200) {
            break back.elapsed();
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not recovered 5 s after PostgreSQL came back (home {home:?}, readyz {ready:?})"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    println!(
        "recovered {} ms after PostgreSQL came back",
        recovered.as_millis()
    );
    // The session and the change confirmed before the outage are still there.
    let (status, _, body) = request(
        addr,
        "POST",
        "/api/products",
        &[FORM, JSON, SAME_ORIGIN, ("Cookie", cookie.as_str())],
        "lang=fr",
    )
    .expect("products");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"threshold\":\"42.00\""), "{body}");

    drop(server);
    drop(cluster);
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let cluster = Cluster::start("shutdown", 54361, "selfcare_shutdown");
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut server = start_server(&cluster.url, addr);

    // A sign-in whose body is only half sent when SIGTERM arrives.
    let body = "email=claire.dubois%40example.be&password=Trio-demo-2024&lang=de";
    let (first, second) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Content-Length: {}\r\n\r\n{first}",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("head");
    std::thread::sleep(Duration::from_millis(300));
    let term = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(term.success());
    std::thread::sleep(Duration::from_millis(500));
    // New connections are no longer accepted.
    assert!(
        request(addr, "GET", "/healthz", &[], "").is_none(),
        "the listener is closed after SIGTERM"
    );
    stream
        .write_all(second.as_bytes())
        .expect("rest of the body");
    let (status, head, answer) = read_response(&mut stream).expect("an answer");
    assert_eq!(status, 200, "{head}\n{answer}");
    assert!(
        head.to_ascii_lowercase()
            .contains("set-cookie: selfcare_session=")
    );

    let exit = server.0.wait().expect("exit");
    assert!(exit.success(), "clean exit: {exit}");
    let mut out = String::new();
    server
        .0
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("stdout");
    assert!(out.contains("Selfcare stopped"), "{out}");
}
