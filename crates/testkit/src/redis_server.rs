//! A real `redis-server` (the Debian package) on a free loopback port, without persistence, stopped when dropped.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|socket| socket.local_addr()).expect("a free port").port();
        let mut server = RedisServer { child: None, port };
        server.restart();
        server
    }

    /// The server's process, for a test that freezes it (`SIGSTOP`) as a hung Redis or a cut network would.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Waits until `channel` has at least `count` subscribers, so a test publishes only once its listeners
    /// are really listening (pub/sub does not replay what was sent before).
    pub fn wait_for_subscribers(&self, channel: &str, count: u64) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.subscribers(channel) < count {
            assert!(Instant::now() < deadline, "{channel} never reached {count} subscribers");
            sleep(Duration::from_millis(20));
        }
    }

    /// `PUBSUB NUMSUB channel`, spoken in plain RESP so the kit needs no Redis client.
    fn subscribers(&self, channel: &str) -> u64 {
        let Ok(mut connection) = TcpStream::connect(("127.0.0.1", self.port)) else { return 0 };
        let request = format!("*3\r\n$6\r\nPUBSUB\r\n$6\r\nNUMSUB\r\n${}\r\n{channel}\r\n", channel.len());
        let mut answer = [0u8; 512];
        let read = connection.write_all(request.as_bytes()).and_then(|()| connection.read(&mut answer)).unwrap_or(0);
        // The answer ends with the count as an integer reply: `:<n>\r\n`.
        String::from_utf8_lossy(&answer[..read])
            .rsplit(':')
            .next()
            .and_then(|tail| tail.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Stops the server, as a crash or a restart of the shop's Redis would.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (empty: there is no persistence).
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (make test installs the Debian package)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen on {}", self.port);
            sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
