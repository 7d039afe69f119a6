"""A person's first visit, driven in Chromium by the page's accessible names (API.md, "Web
UI"): sign up, upload two pictures, make one active and see the avatar change, edit one,
delete one, add and confirm an email through the mailed link, copy the URL, sign out, sign
back in; and the failure paths (wrong password, a file that is not an image, a too-large
file). Every step asserts what is on screen; the picture served is checked by its pixels.
"""
from __future__ import annotations

import hashlib
import io
import re
import time
import uuid

import requests
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.images import BLUE, RED, close_to, decode, jpeg
from tests.e2e.launch import MAX_UPLOAD_BYTES
from tests.e2e.mail import verification_link

PASSWORD = "correct horse battery"


def halves(left, right, size=(600, 300)) -> bytes:
    """A JPEG whose left half is one colour and right half another."""
    img = Image.new("RGB", size, right)
    img.paste(Image.new("RGB", (size[0] // 2, size[1]), left), (0, 0))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95)
    return out.getvalue()


def file(name: str, data: bytes, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def avatar(base_url: str, username: str):
    r = requests.get(f"{base_url}/{username}", params={"s": 64}, timeout=30)
    assert r.status_code == 200, r.text
    return decode(r.content)


def wait_for_avatar(base_url: str, username: str, colour, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not close_to(img := avatar(base_url, username), colour):
        assert time.monotonic() < deadline, f"/{username} still shows {img.getpixel((32, 32))}"
        time.sleep(0.2)


def wait_for_preview(page, colour, timeout: float = 5.0) -> None:
    """The page's own preview of the avatar URL shows `colour`: the middle of it as drawn
    on screen (it is a circle; the corners are the page's)."""
    preview = page.get_by_role("img", name="Your picture at 64 pixels")
    deadline = time.monotonic() + timeout
    while True:
        shot = decode(preview.screenshot()).convert("RGB")
        middle = shot.crop((shot.width // 4, shot.height // 4, shot.width * 3 // 4, shot.height * 3 // 4))
        if close_to(middle, colour):
            return
        assert time.monotonic() < deadline, f"the preview still shows {middle.getpixel((8, 8))}"
        time.sleep(0.2)


def sign_up(page, username: str, email: str | None = None) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    if email:
        page.get_by_label("Email (optional)").fill(email)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def pictures(page):
    return page.get_by_role("list", name="Your pictures").get_by_role("listitem")


def test_first_visit(new_page, system, screenshot):
    base = system.base_url
    username = "w" + uuid.uuid4().hex[:10]
    page = new_page()
    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    screenshot(page, "01-signed-out")

    sign_up(page, username)
    url = page.get_by_role("link", name=f"{base}/{username}")
    expect(url).to_be_visible()
    expect(page.get_by_label("HTML to embed it")).to_have_value(re.compile(f'<img src="{base}/{username}'))

    # Two pictures at once through the picker; the first request is held back a moment so
    # its progress bar is on screen to be seen.
    page.route("**/v1/photos", lambda route: (time.sleep(0.5), route.continue_()))
    page.get_by_label("Upload pictures").set_input_files(
        [file("red.jpg", jpeg(RED)), file("blue.jpg", jpeg(BLUE, size=(300, 500)))])
    expect(page.get_by_role("progressbar").first).to_be_visible()
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_text("Uploaded and ready.")).to_have_count(2, timeout=20_000)
    page.unroute("**/v1/photos")
    expect(pictures(page)).to_have_count(2)
    expect(page.get_by_text("Processing…")).to_have_count(0)
    # The <img> elements only: each card's views chart is an img role too, drawn, not loaded.
    for img in pictures(page).locator("img").all():
        expect(img).to_have_js_property("complete", True)
        assert img.evaluate("i => i.naturalWidth") > 0
    red = pictures(page).filter(has_text="600 × 400")
    blue = pictures(page).filter(has_text="300 × 500")

    # Make active: marked Active on the page, and the public URL shows it.
    red.get_by_role("button", name="Make active").click()
    expect(red.get_by_text("Active", exact=True)).to_be_visible()
    wait_for_avatar(base, username, RED)
    wait_for_preview(page, RED)
    blue.get_by_role("button", name="Make active").click()
    expect(blue.get_by_text("Active", exact=True)).to_be_visible()
    expect(red.get_by_text("Active", exact=True)).to_have_count(0)
    wait_for_avatar(base, username, BLUE)
    wait_for_preview(page, BLUE)
    screenshot(page, "02-gallery")

    # Copy puts the URL on the clipboard.
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_text("Copied your URL")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == f"{base}/{username}"

    # Views per day: each picture's chart, from the stats API.
    expect(blue.get_by_text("Views per day")).to_be_visible(timeout=20_000)
    expect(blue.locator(".chart canvas")).to_be_visible()

    # Edit: a square crop box on the picture, a quarter turn, saved as a new picture.
    edit_a_picture(page, base, screenshot)

    # Delete, with a confirmation: the card goes, and so does its link.
    red_id = red.get_attribute("data-photo-id")
    count = pictures(page).count()
    red.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete this picture?")
    dialog.get_by_role("button", name="Delete").click()
    expect(pictures(page)).to_have_count(count - 1)
    expect(red).to_have_count(0)
    assert requests.get(f"{base}/i/{red_id}", timeout=30).status_code == 404

    # Sign out, a wrong password, then back in: the picture is still there.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(pictures(page)).to_have_count(count - 1)
    expect(blue.get_by_text("Active", exact=True)).to_be_visible()


def edit_a_picture(page, base: str, screenshot) -> None:
    """Upload a picture red on the left, blue on the right; in the editor turn it a quarter
    right (the left half is now on top), move the square crop box to the top with the
    keyboard and save: the new picture is the red half, a square, and the original stays."""
    page.get_by_label("Upload pictures").set_input_files([file("halves.jpg", halves(RED, BLUE))])
    card = pictures(page).filter(has_text="600 × 300")
    expect(card).to_have_count(1)
    count = pictures(page).count()
    card.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("dialog", name="Edit picture")
    crop_box = editor.locator(".cropper-crop-box")
    expect(crop_box).to_be_visible()
    box = crop_box.bounding_box()
    assert abs(box["width"] - box["height"]) < 2, box  # a square
    editor.get_by_role("button", name="Rotate right").click()
    editor.get_by_role("group", name=re.compile("Crop box")).focus()
    for _ in range(60):
        page.keyboard.press("ArrowUp")
    screenshot(page, "03-edit", full_page=False)
    editor.get_by_role("button", name="Save as new picture").click()
    expect(editor).to_be_hidden()
    expect(pictures(page)).to_have_count(count + 1)
    edited = pictures(page).first  # newest first
    expect(edited).to_contain_text("300 × 300")
    r = requests.get(f"{base}/i/{edited.get_attribute('data-photo-id')}",
                     params={"size": "original"}, timeout=30)
    assert r.status_code == 200
    img = decode(r.content).convert("RGB")
    assert img.size == (300, 300) and close_to(img, RED), (img.size, img.getpixel((150, 150)))
    expect(card).to_have_count(1)  # the original is still there


def test_refused_files_are_explained(new_page, system, trouble):
    page = new_page()
    sign_up(page, "w" + uuid.uuid4().hex[:10])
    # The server answers a body over the cap with 413 and may close the connection before
    # the browser has sent it all; the page then has only the cut-off to go by.
    trouble.may_fail.add("/v1/photos")
    too_large = b"\xff\xd8\xff" + bytes(MAX_UPLOAD_BYTES + 64 * 1024)
    page.get_by_label("Upload pictures").set_input_files(
        [file("notes.txt", b"these are not pixels\n" * 20, "text/plain")])
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("listitem").filter(has_text="notes.txt")).to_contain_text(
        "not a picture OnePic accepts")
    page.get_by_label("Upload pictures").set_input_files([file("huge.jpg", too_large)])
    expect(uploads.get_by_role("listitem").filter(has_text="huge.jpg")).to_contain_text(
        re.compile("too large"))
    expect(pictures(page)).to_have_count(0)
    expect(page.get_by_text("No pictures yet")).to_be_visible()


def test_email_confirmed_through_the_mailed_link(new_page, system, screenshot):
    page = new_page()
    username = "w" + uuid.uuid4().hex[:10]
    address = f"{username}@example.org"
    sign_up(page, username)
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Add email").click()
    emails = page.get_by_role("list", name="Addresses on your account")
    expect(emails).to_contain_text(address)
    expect(emails).to_contain_text("Waiting for confirmation")

    page.goto(verification_link(system, address))
    expect(page.get_by_role("button", name="Not me")).to_be_visible()
    expect(page.get_by_text(address)).to_be_visible()
    expect(page.get_by_role("alert")).to_be_hidden()  # signed in as the claimant: no warning
    screenshot(page, "04-verify")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"Confirmed: {address}")).to_be_visible()

    page.goto("/")
    expect(emails).to_contain_text("Confirmed")
    md5 = hashlib.md5(address.encode()).hexdigest()
    expect(page.get_by_role("link", name=f"{system.base_url}/avatar/{md5}")).to_be_visible()


def test_phone_width_and_drag_and_drop(new_page, system, screenshot):
    """Nothing wider than a phone's screen; a picture dropped on the upload area uploads."""
    page = new_page(width=375, height=740)
    sign_up(page, "w" + uuid.uuid4().hex[:10])
    dropped = page.evaluate_handle("""bytes => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], "dropped.jpg", {type: "image/jpeg"}));
        return dt;
    }""", list(jpeg(RED)))
    page.locator("#drop-zone").dispatch_event("drop", {"dataTransfer": dropped})
    expect(page.get_by_role("list", name="Uploads")).to_contain_text("dropped.jpg")
    expect(pictures(page)).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "05-phone")


def tab_to(page, name: str, limit: int = 25) -> None:
    """Press Tab until the element named `name` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim() || "
                                "document.activeElement.labels?.[0]?.textContent.trim() || ''")
        if focused == name:
            return
    raise AssertionError(f"{name!r} not reached with Tab")


def test_keyboard_only(new_page, system):
    """Sign up and upload without a pointer; the focused control is visibly marked."""
    page = new_page()
    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    tab_to(page, "Sign up")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    page.keyboard.press("Enter")
    page.keyboard.type("w" + uuid.uuid4().hex[:10])  # the username field has the focus
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    tab_to(page, "Create account")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    tab_to(page, "Upload pictures")
    # The file input has the focus and its button-like label shows the ring. (What Space
    # opens is the system's file dialog; Playwright's interception of it is unreliable
    # in headless Chromium, so the files are given to the focused input directly.)
    assert page.evaluate("document.activeElement.type") == "file"
    label_outline = page.evaluate(
        "getComputedStyle(document.activeElement.labels[0]).outlineStyle")
    assert label_outline not in ("none", ""), label_outline
    page.locator(":focus").set_input_files([file("red.jpg", jpeg(RED))])
    expect(pictures(page)).to_have_count(1)
    tab_to(page, "Make active", limit=40)
    page.keyboard.press("Enter")
    expect(pictures(page).get_by_text("Active", exact=True)).to_be_visible()
