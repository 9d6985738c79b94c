<?php
/**
 * Seeds a freshly set up TinyIB board through its own code.
 *
 * Usage: php tinyib_seed.php <site dir>   (the spec as JSON on stdin)
 *
 * Loads the engine the way imgboard.php does (settings.php, inc/defines.php, functions, html,
 * the mysqli database layer, which creates the tables on first use), then does what
 * imgboard.php's "make a post" branch does for a text post, minus the request handling
 * (flood control, captcha, bans, file upload): newPost(), the name through nameAndTripcode() +
 * cleanString() (an empty name: the board's "Anonymous"), the message through cleanString(),
 * postLink() (">>N" becomes a link to post N), colorQuote() (a ">" line becomes greentext),
 * makeLinksClickable(), "<br>" for newlines, the name block through nameBlock(), insertPost();
 * a reply bumps its thread. insertPost() stamps the request time: each post's timestamp (and
 * its name block's date) is then set to its corpus time, as if it had been posted then. Finally
 * every thread page (res/N.html) and the index pages, catalog and JSON files are written by
 * rebuildThread() and rebuildIndexes(), as after a post. Prints the threads and posts read back
 * from the posts table as one JSON line: the truth.
 */
$site = rtrim($argv[1], '/');
chdir($site);
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['PHP_SELF'] = '/imgboard.php';  // (pages link their "Manage" link to the script that wrote them)
$spec = json_decode(stream_get_contents(STDIN), true);

function fancyDie($message, $go_back = 1) { fwrite(STDERR, "TinyIB: $message\n"); exit(1); }
function __($string) { return $string; }

require 'settings.php';
require 'inc/defines.php';
global $tinyib_capcodes, $tinyib_embeds, $tinyib_hidefields, $tinyib_hidefieldsop, $tinyib_anonymous;
date_default_timezone_set(TINYIB_TIMEZONE);
$bcrypt_salt = '$2y$12$' . str_pad(str_replace('=', '/', str_replace('+', '.', substr(base64_encode(TINYIB_TRIPSEED), 0, 22))), 22, '/');
// (the tables exist: the first request to imgboard.php created them)
foreach (array('inc/functions.php', 'inc/html.php', 'inc/database/' . TINYIB_DBMODE . '_link.php',
               'inc/database/' . TINYIB_DBMODE . '.php', 'inc/database/database.php') as $include) {
    require $include;
}

function message(string $text): string {
    $m = $text;
    if (TINYIB_WORDBREAK > 0) {
        $m = preg_replace('/([^\s]{' . TINYIB_WORDBREAK . '})(?=[^\s])/u', '$1' . TINYIB_WORDBREAK_IDENTIFIER, $m);
    }
    $m = str_replace("\n", '<br>', makeLinksClickable(colorQuote(postLink(cleanString(rtrim($m))))));
    return TINYIB_WORDBREAK > 0 ? finishWordBreak($m) : $m;
}

$tids = array();
foreach ($spec['threads'] as $thread) {
    $ids = array();
    $tid = 0;
    foreach ($thread['posts'] as $i => $p) {
        $post = newPost($i == 0 ? TINYIB_NEWTHREAD : $tid);
        list($post['name'], $post['tripcode']) = nameAndTripcode($p['name']);
        $post['name'] = cleanString(_substr($post['name'], 0, TINYIB_MAXNAME));
        if ($post['name'] == '' && $post['tripcode'] == '') {
            $post['name'] = $tinyib_anonymous[0];
        }
        $post['subject'] = $i == 0 ? cleanString($thread['title']) : '';
        $text = $p['text'];
        if (isset($p['quotes'])) {  // (what a poster types to answer a post: ">>N", then a quoted line)
            $q = $thread['posts'][$p['quotes']];
            $text = '>>' . $ids[$p['quotes']] . "\n>" . $q['text'] . "\n" . $text;
        }
        $post['message'] = message($text);
        $post['nameblock'] = nameBlock($post['name'], $post['tripcode'], '', (int) $p['time'], '');
        $id = insertPost($post);
        mysqli_query($link, "UPDATE `" . TINYIB_DBPOSTS . "` SET `timestamp` = " . (int) $p['time'] . ", `bumped` = "
            . (int) $p['time'] . " WHERE `id` = $id");
        if ($i == 0) {
            $tid = $id;
        } else {
            updatePostBumped($tid, (int) $p['time']);
        }
        $ids[$i] = $id;
    }
    $tids[] = $tid;
}
foreach ($tids as $tid) rebuildThread($tid);
rebuildIndexes();

$out = array('threads' => array());
foreach ($tids as $tid) {
    $op = postByID($tid);
    $out['threads'][] = array('id' => $tid, 'subject' => $op['subject'], 'posts' => array_map(
        fn($p) => array('id' => $p['id'], 'name' => $p['name'], 'tripcode' => $p['tripcode'], 'message' => $p['message'],
                        'timestamp' => $p['timestamp']), postsInThreadByID($tid)));
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
