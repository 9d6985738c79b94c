<?php
/**
 * Seeds a freshly installed XMB 1.9.12 through its own code.
 *
 * Usage: php xmb_seed.php <site dir>   (the spec as JSON on stdin)
 *
 * Loads the engine the way its installer's cinst.php does (global.inc.php, config.php, the
 * database class, sql.inc.php) plus functions.inc.php, then does what post.php does for a new
 * thread and a reply, minus the request handling (captcha, nonce, flood control): the
 * settings through \XMB\SQL\updateSetting, members through \XMB\SQL\addMember (what
 * member.php's registration stores), threads through \XMB\SQL\addThread + addPost,
 * replies through addPost, then the counters (and last posts) through updatethreadcount /
 * updateforumcount and raisePostCount. A quoting reply holds the [rquote] BBCode post.php's
 * quote button writes. Each post's dateline is its corpus time (post.php stamps the request
 * time). Prints the threads and posts read back from the database as one JSON line: the truth.
 */
$site = rtrim($argv[1], '/');
chdir($site);
define('ROOT', $site . '/');
define('IN_CODE', true);
define('X_SCRIPT', 'post.php');
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$spec = json_decode(stream_get_contents(STDIN), true);

require ROOT . 'include/global.inc.php';
require ROOT . 'config.php';
if ('mysql' === $database) $database = 'mysqli';
require ROOT . 'db/' . $database . '.php';
require ROOT . 'include/sql.inc.php';
require ROOT . 'include/validate.inc.php';
require ROOT . 'include/functions.inc.php';
require ROOT . 'include/translation.inc.php';
define('X_PREFIX', $tablepre);
$db = new dbstuff;
$db->connect($dbhost, $dbuser, $dbpw, $dbname, $pconnect, true);

// (the admin panel's "Install New Language", then the board's language in the settings)
$upload = file_get_contents(ROOT . $spec['translation']);
installNewTranslation($upload);
foreach ($spec['settings'] as $name => $value) {
    \XMB\SQL\updateSetting($name, (string) $value);
}

// (post.php and member.php store names and texts HTML-encoded, the message also addslashes'd; in the
// bytes the browser sends to a GB2312 page)
function enc(string $s): string { return htmlspecialchars(mb_convert_encoding($s, 'GB2312', 'UTF-8'), ENT_QUOTES, 'ISO-8859-1'); }
function utf8(array $row): array { return array_map(fn($v) => is_string($v) ? mb_convert_encoding($v, 'UTF-8', 'GB2312') : $v, $row); }

$now = time();
foreach ($spec['users'] as $name) {
    if (\XMB\SQL\getMemberByName(enc($name))) continue;  // (the installer's admin)
    \XMB\SQL\addMember([
        'username' => enc($name), 'password' => md5('fc-pw-' . $name), 'email' => 'u' . md5($name) . '@example.com',
        'status' => 'Member', 'regip' => '127.0.0.1', 'regdate' => $now, 'pwdate' => $now,
        'showemail' => 'no', 'langfile' => $spec['settings']['langfile'], 'timeformat' => 12, 'dateformat' => 'dd-mm-yyyy',
        'tpp' => 30, 'ppp' => (int) $spec['settings']['postperpage'], 'saveogu2u' => 'yes', 'emailonu2u' => 'no',
        'useoldu2u' => 'no',
    ]);
}

$fids = [];
foreach ($spec['boards'] as $n => $board) {
    if ($n == 0) {  // (the installer's "Default Forum", renamed as the admin panel would)
        $db->query("UPDATE " . X_PREFIX . "forums SET name='" . $db->escape(enc($board)) . "' WHERE fid=1");
        $fids[] = 1;
        continue;
    }
    // (cp.php's "new forum": a copy of the default forum's settings under another name)
    $db->query("INSERT INTO " . X_PREFIX . "forums (type, name, status, lastpost, moderator, displayorder, description, "
        . "allowsmilies, allowbbcode, userlist, theme, posts, threads, fup, postperm, allowimgcode, attachstatus, password) "
        . "SELECT type, '" . $db->escape(enc($board)) . "', status, '', moderator, " . ($n + 1) . ", '', allowsmilies, "
        . "allowbbcode, userlist, theme, 0, 0, fup, postperm, allowimgcode, attachstatus, password FROM "
        . X_PREFIX . "forums WHERE fid=1");
    $fids[] = $db->insert_id();
}

foreach ($spec['threads'] as $n => $thread) {
    $fid = $fids[$n % count($fids)];
    $first = $thread['posts'][0];
    $author = enc($first['author']);
    $values = ['fid' => $fid, 'subject' => addslashes(enc($thread['title'])), 'icon' => '',
               'lastpost' => "{$first['time']}|$author", 'author' => addslashes($author), 'closed' => '', 'topped' => 0,
               'pollopts' => 0];
    $tid = \XMB\SQL\addThread($values);
    $pids = [];
    foreach ($thread['posts'] as $i => $post) {
        $message = enc($post['text']);
        if (isset($post['quotes'])) {
            $q = $thread['posts'][$post['quotes']];
            $message = "[rquote={$pids[$post['quotes']]}&amp;tid=$tid&amp;author=" . enc($q['author']) . "]"
                . enc($q['text']) . "[/rquote]\n" . $message;
        }
        $values = ['fid' => $fid, 'tid' => $tid, 'dateline' => (int) $post['time'], 'author' => addslashes(enc($post['author'])),
                   'message' => addslashes($message), 'subject' => $i == 0 ? addslashes(enc($thread['title'])) : '',
                   'icon' => '', 'usesig' => 'no', 'useip' => '127.0.0.1', 'bbcodeoff' => 'no', 'smileyoff' => 'no'];
        $pids[$i] = \XMB\SQL\addPost($values);
        \XMB\SQL\raisePostCount(enc($post['author']), (int) $post['time']);
    }
    updatethreadcount($tid);
}
foreach ($fids as $fid) updateforumcount($fid);

$out = ['threads' => []];
$q = $db->query("SELECT t.tid, t.fid, t.subject, f.name AS board FROM " . X_PREFIX . "threads t JOIN " . X_PREFIX
    . "forums f USING (fid) ORDER BY t.tid");
while ($t = $db->fetch_array($q)) {
    $t = utf8($t);
    $t['posts'] = [];
    $p = $db->query("SELECT pid, author, message, dateline FROM " . X_PREFIX . "posts WHERE tid={$t['tid']} ORDER BY dateline, pid");
    while ($row = $db->fetch_array($p)) $t['posts'][] = utf8($row);
    $out['threads'][] = $t;
}
echo json_encode($out, JSON_UNESCAPED_UNICODE), "\n";
