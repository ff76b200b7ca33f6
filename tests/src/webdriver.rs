//! A small W3C WebDriver client over plain HTTP (reqwest) for the browser tests: it starts
//! `chromedriver` on a free port, opens one headless Chromium session with a fresh profile, and
//! offers the handful of commands the tests need. Dropping the [`Browser`] ends the session,
//! stops chromedriver and removes the profile directory.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

/// Element references come back as `{"element-6066-…": "<id>"}`; the suffix differs between
/// the W3C text and chromedriver builds, so any key with this prefix is accepted.
const ELEMENT_KEY_PREFIX: &str = "element-6066-11e4-";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How often a wait re-checks the page.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How long a wait gives the page by default: generous for a loaded CI machine.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug)]
pub struct WebDriverError(pub String);

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for WebDriverError {}

impl From<reqwest::Error> for WebDriverError {
    fn from(error: reqwest::Error) -> Self {
        Self(format!("webdriver request failed: {error}"))
    }
}

impl From<std::io::Error> for WebDriverError {
    fn from(error: std::io::Error) -> Self {
        Self(format!("io error: {error}"))
    }
}

pub type Result<T> = std::result::Result<T, WebDriverError>;

/// A headless Chromium driven through its own chromedriver process.
pub struct Browser {
    http: reqwest::Client,
    driver_url: String,
    session_id: String,
    driver: Child,
    profile_dir: PathBuf,
}

/// A reference to an element on the current page.
#[derive(Clone, Debug)]
pub struct Element {
    id: String,
    /// The reference's key as the driver wrote it, to hand the element back to a script.
    key: String,
}

/// The element references in a `find elements` answer.
fn elements_of(value: &Value) -> Vec<Element> {
    value
        .as_array()
        .map(|elements| {
            elements
                .iter()
                .filter_map(Value::as_object)
                .filter_map(|reference| {
                    reference
                        .iter()
                        .find(|(key, _)| key.starts_with(ELEMENT_KEY_PREFIX))
                        .and_then(|(key, id)| id.as_str().map(|id| (key, id)))
                })
                .map(|(key, id)| Element {
                    id: id.to_string(),
                    key: key.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session with a fresh profile, in a 1280×900
    /// desktop window.
    pub async fn start() -> Result<Browser> {
        Browser::start_sized(None).await
    }

    /// The same on a phone: a 390×844 viewport at three device pixels per CSS pixel (Chrome's
    /// mobile emulation, so media queries and the layout see a phone's width).
    pub async fn start_phone() -> Result<Browser> {
        Browser::start_sized(Some((390, 844))).await
    }

    async fn start_sized(phone: Option<(u32, u32)>) -> Result<Browser> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            return Err(WebDriverError(format!(
                "{CHROMEDRIVER} or {CHROMIUM} is missing; install them with \
                 `apt-get install -y chromium chromium-driver`"
            )));
        }
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let profile_dir =
            std::env::temp_dir().join(format!("revops-chromium-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&profile_dir)?;
        let mut browser = Browser {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()?,
            driver_url: format!("http://127.0.0.1:{port}"),
            session_id: String::new(),
            driver,
            profile_dir,
        };
        browser.wait_until_driver_ready().await?;
        browser.session_id = browser.new_session(phone).await?;
        Ok(browser)
    }

    async fn wait_until_driver_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.driver.try_wait()? {
                return Err(WebDriverError(format!(
                    "chromedriver exited at start: {status}"
                )));
            }
            let ready = match self
                .http
                .get(format!("{}/status", self.driver_url))
                .send()
                .await
            {
                Ok(response) => response
                    .json::<Value>()
                    .await
                    .map(|body| body["value"]["ready"] == json!(true))
                    .unwrap_or(false),
                Err(_) => false,
            };
            if ready {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(WebDriverError(
                    "chromedriver did not become ready within 10 s".into(),
                ));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    async fn new_session(&self, phone: Option<(u32, u32)>) -> Result<String> {
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--no-first-run".to_string(),
            "--window-size=1280,900".to_string(),
            format!("--user-data-dir={}", self.profile_dir.display()),
        ];
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if let Some((width, height)) = phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 3.0, "touch": true }
            });
        }
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": options
                }
            }
        });
        let value = self
            .command(reqwest::Method::POST, "/session", Some(capabilities))
            .await?;
        value["sessionId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| WebDriverError(format!("no session id in {value}")))
    }

    /// Sends one command and returns its `value`, turning a WebDriver error into an `Err`.
    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let url = format!("{}{path}", self.driver_url);
        let request = self.http.request(method, &url);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(WebDriverError(format!(
                "{path}: {} ({})",
                value["error"].as_str().unwrap_or("error"),
                value["message"]
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
            )));
        }
        Ok(value)
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session_id)
    }

    /// Loads a URL and waits for the document to load (not for the app's data).
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.command(
            reqwest::Method::POST,
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        )
        .await?;
        Ok(())
    }

    /// Opens a new tab (W3C `New Window` of type tab) and returns its handle; the current tab
    /// stays the one commands go to until `switch_to` is called.
    pub async fn new_tab(&self) -> Result<String> {
        let value = self
            .command(
                reqwest::Method::POST,
                &self.session_path("/window/new"),
                Some(json!({ "type": "tab" })),
            )
            .await?;
        Ok(value["handle"].as_str().unwrap_or_default().to_string())
    }

    /// The handle of the tab commands go to now.
    pub async fn current_tab(&self) -> Result<String> {
        let value = self
            .command(reqwest::Method::GET, &self.session_path("/window"), None)
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Sends the following commands to another tab.
    pub async fn switch_to(&self, handle: &str) -> Result<()> {
        self.command(
            reqwest::Method::POST,
            &self.session_path("/window"),
            Some(json!({ "handle": handle })),
        )
        .await?;
        Ok(())
    }

    pub async fn current_url(&self) -> Result<String> {
        let value = self
            .command(reqwest::Method::GET, &self.session_path("/url"), None)
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Every element matching a CSS selector right now (possibly none).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let body = json!({ "using": "css selector", "value": css });
        let value = self
            .command(
                reqwest::Method::POST,
                &self.session_path("/elements"),
                Some(body),
            )
            .await?;
        Ok(elements_of(&value))
    }

    /// The first element matching a CSS selector right now.
    pub async fn find(&self, css: &str) -> Result<Element> {
        self.find_all(css)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| WebDriverError(format!("no element matches `{css}`")))
    }

    /// Waits until an element matching `css` exists, checking every 100 ms up to `timeout`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(element) = self.find_all(css).await?.into_iter().next() {
                return Ok(element);
            }
            if Instant::now() >= deadline {
                return Err(WebDriverError(format!(
                    "no element matched `{css}` within {} ms (page: {})",
                    timeout.as_millis(),
                    self.current_url().await.unwrap_or_default()
                )));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until some element matching `css` contains `text`; returns that element.
    pub async fn wait_for_text(&self, css: &str, text: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            for element in self.find_all(css).await? {
                // The element can vanish between finding and reading when the page re-renders.
                if self
                    .text(&element)
                    .await
                    .is_ok_and(|found| found.contains(text))
                {
                    return Ok(element);
                }
            }
            if Instant::now() >= deadline {
                return Err(WebDriverError(format!(
                    "no `{css}` contained {text:?} within {} ms (page: {})",
                    timeout.as_millis(),
                    self.current_url().await.unwrap_or_default()
                )));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until the address bar's path starts with `path_prefix` (client-side navigation).
    pub async fn wait_for_path(&self, path_prefix: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let url = self.current_url().await?;
            let path = url
                .splitn(4, '/')
                .nth(3)
                .map(|rest| format!("/{rest}"))
                .unwrap_or_default();
            if path.starts_with(path_prefix) {
                return Ok(path);
            }
            if Instant::now() >= deadline {
                return Err(WebDriverError(format!(
                    "the page stayed at {url} instead of reaching {path_prefix} within {} ms",
                    timeout.as_millis()
                )));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    fn element_path(&self, element: &Element, rest: &str) -> String {
        self.session_path(&format!("/element/{}{rest}", element.id))
    }

    /// Clicks an element after scrolling it to the middle of the viewport: WebDriver only
    /// scrolls it just into view, where the page's sticky top bar can cover it and take the click.
    pub async fn click(&self, element: &Element) -> Result<()> {
        self.execute(
            "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
            vec![json!({ element.key.clone(): element.id })],
        )
        .await?;
        self.command(
            reqwest::Method::POST,
            &self.element_path(element, "/click"),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// Types text into an input (after what is already there).
    pub async fn type_text(&self, element: &Element, text: &str) -> Result<()> {
        let body = json!({ "text": text });
        self.command(
            reqwest::Method::POST,
            &self.element_path(element, "/value"),
            Some(body),
        )
        .await?;
        Ok(())
    }

    pub async fn clear(&self, element: &Element) -> Result<()> {
        self.command(
            reqwest::Method::POST,
            &self.element_path(element, "/clear"),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// The element's rendered text.
    pub async fn text(&self, element: &Element) -> Result<String> {
        let value = self
            .command(
                reqwest::Method::GET,
                &self.element_path(element, "/text"),
                None,
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    pub async fn is_enabled(&self, element: &Element) -> Result<bool> {
        let value = self
            .command(
                reqwest::Method::GET,
                &self.element_path(element, "/enabled"),
                None,
            )
            .await?;
        Ok(value.as_bool().unwrap_or(false))
    }

    pub async fn attribute(&self, element: &Element, name: &str) -> Result<Option<String>> {
        let value = self
            .command(
                reqwest::Method::GET,
                &self.element_path(element, &format!("/attribute/{name}")),
                None,
            )
            .await?;
        Ok(value.as_str().map(str::to_string))
    }

    /// Finds `css` inside an element.
    pub async fn find_within(&self, element: &Element, css: &str) -> Result<Vec<Element>> {
        let body = json!({ "using": "css selector", "value": css });
        let value = self
            .command(
                reqwest::Method::POST,
                &self.element_path(element, "/elements"),
                Some(body),
            )
            .await?;
        Ok(elements_of(&value))
    }

    /// Runs JavaScript in the page and returns its result.
    /// Whether the first element matching `css` is on screen: displayed, not hidden, and at
    /// least partly inside the viewport (a menu slid off the side is not).
    pub async fn is_displayed(&self, css: &str) -> Result<bool> {
        let shown = self
            .execute(
                "const el = document.querySelector(arguments[0]); if (!el) return false; \
                 const style = getComputedStyle(el); const rect = el.getBoundingClientRect(); \
                 return style.visibility !== 'hidden' && style.display !== 'none' \
                   && rect.width > 0 && rect.right > 0 && rect.left < window.innerWidth;",
                vec![json!(css)],
            )
            .await?;
        Ok(shown.as_bool().unwrap_or(false))
    }

    /// Presses keys on the keyboard as a person would, wherever focus is (WebDriver actions):
    /// e.g. `Key::TAB`, `Key::ENTER`, or plain characters.
    pub async fn press(&self, keys: &[&str]) -> Result<()> {
        let actions: Vec<Value> = keys
            .iter()
            .flat_map(|key| {
                [
                    json!({ "type": "keyDown", "value": key }),
                    json!({ "type": "keyUp", "value": key }),
                ]
            })
            .collect();
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.command(
            reqwest::Method::POST,
            &self.session_path("/actions"),
            Some(body),
        )
        .await?;
        Ok(())
    }

    /// What has keyboard focus, as `tag#id[data-test|data-action]` (e.g. `a[skip-link]`), to
    /// check where a key press or an action left it.
    pub async fn focused(&self) -> Result<String> {
        let value = self
            .execute(
                "const e = document.activeElement; if (!e) return ''; \
                 const mark = e.dataset.test || e.dataset.action || ''; \
                 return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (mark ? '[' + mark + ']' : '');",
                Vec::new(),
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        let body = json!({ "script": script, "args": args });
        self.command(
            reqwest::Method::POST,
            &self.session_path("/execute/sync"),
            Some(body),
        )
        .await
    }

    /// Saves a PNG of the viewport, for looking at a failing test.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let value = self
            .command(
                reqwest::Method::GET,
                &self.session_path("/screenshot"),
                None,
            )
            .await?;
        let encoded = value
            .as_str()
            .ok_or_else(|| WebDriverError("screenshot was not a string".into()))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, base64_decode(encoded)?)?;
        Ok(())
    }

    /// Ends the session now (dropping the browser does the same, best effort).
    pub async fn quit(mut self) -> Result<()> {
        let path = self.session_path("");
        let result = self.command(reqwest::Method::DELETE, &path, None).await;
        self.session_id.clear();
        result.map(|_| ())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Drop cannot await, so the session is ended with a plain blocking HTTP request; this
        // lets chromedriver close Chromium before chromedriver itself is killed.
        if !self.session_id.is_empty() {
            let _ = delete_session_blocking(&self.driver_url, &self.session_id);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

fn delete_session_blocking(driver_url: &str, session_id: &str) -> std::io::Result<()> {
    let address = driver_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    Ok(())
}

/// Decodes standard base64 (the screenshot encoding) without pulling in a crate for it.
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let mut output = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut buffer = 0_u32;
        for (index, byte) in chunk.iter().enumerate() {
            let value = sextet(*byte)
                .ok_or_else(|| WebDriverError("invalid base64 in screenshot".into()))?;
            buffer |= value << (18 - 6 * index);
        }
        let produced = chunk.len().saturating_sub(1);
        for index in 0..produced {
            output.push(((buffer >> (16 - 8 * index)) & 0xff) as u8);
        }
    }
    Ok(output)
}

/// WebDriver's codes for the keys `press` sends that are not characters.
pub struct Key;

impl Key {
    pub const TAB: &'static str = "\u{E004}";
    pub const ENTER: &'static str = "\u{E007}";
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn base64_decodes_padded_and_unpadded_input() {
        assert_eq!(base64_decode("aGVsbG8=").ok(), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("aGVsbG8h").ok(), Some(b"hello!".to_vec()));
        assert_eq!(base64_decode("aA==").ok(), Some(b"h".to_vec()));
    }
}
