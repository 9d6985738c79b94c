<?php
// Seeds a Beehive Forum test copy through the engine's own code (user_create, post_create_thread,
// post_create): argv[1] the site, stdin JSON {"webtag", "fid", "admin" (the installer's), "users": [{name, password, email}],
// "threads": [{"title", "posts": [{"author", "html", "time"}]}]}. Each post's CREATED is then set to
// its corpus time (SQL, the only write not made by the engine). Prints {"threads": [[pid, ...], ...]}.
$site = rtrim($argv[1], '/');
$spec = json_decode(stream_get_contents(STDIN), true);
chdir($site);
define('BH_INCLUDE_PATH', $site . '/include/');
date_default_timezone_set('UTC');
$_GET['webtag'] = $spec['webtag'];
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_USER_AGENT'] = 'forumcrawl-seed';
$_SERVER['SCRIPT_NAME'] = '/seed.php';
$_SERVER['PHP_SELF'] = '/seed.php';
$_SERVER['REQUEST_URI'] = '/seed.php';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SESSION = array('UID' => 0);
require_once BH_INCLUDE_PATH . 'constants.inc.php';
require_once BH_INCLUDE_PATH . 'db.inc.php';
foreach (array('forum', 'server', 'format', 'lang', 'session', 'perm', 'user', 'post', 'thread', 'threads',
               'folder', 'word_filter', 'ip') as $inc) {
    require_once BH_INCLUDE_PATH . "$inc.inc.php";
}
$db = db::get();
$prefix = get_table_prefix();
$uids = array();
$admin = user_get_by_logon($spec['admin']);
$uids[$spec['admin']] = $admin['UID'];
foreach ($spec['users'] as $u) {
    $uid = user_create($u['name'], $u['password'], $u['name'], $u['email']);
    if ($uid === false) {
        $uid = user_exists($u['name']) ? user_get_by_logon($u['name'])['UID'] : false;
    }
    if (!$uid) { fwrite(STDERR, "user {$u['name']} not created\n"); exit(1); }
    $uids[$u['name']] = $uid;
}
$out = array();
foreach ($spec['threads'] as $thread) {
    $first = $thread['posts'][0];
    $tid = post_create_thread($spec['fid'], $uids[$first['author']], $thread['title']);
    if (!$tid) { fwrite(STDERR, "thread {$thread['title']} not created\n"); exit(1); }
    $pids = array();
    foreach ($thread['posts'] as $i => $post) {
        $reply = $i == 0 ? 0 : $pids[count($pids) - 1];
        $pid = post_create($spec['fid'], $tid, $reply, $uids[$post['author']], array(), $post['html']);
        if (!$pid) { fwrite(STDERR, "post $i of thread $tid not created\n"); exit(1); }
        $when = gmdate('Y-m-d H:i:s', $post['time']);
        $db->query("UPDATE `{$prefix}POST` SET CREATED = '$when', APPROVED = '$when' WHERE TID = $tid AND PID = $pid");
        $pids[] = $pid;
    }
    $last = gmdate('Y-m-d H:i:s', end($thread['posts'])['time']);
    $start = gmdate('Y-m-d H:i:s', $first['time']);
    $db->query("UPDATE `{$prefix}THREAD` SET CREATED = '$start', MODIFIED = '$last' WHERE TID = $tid");
    $out[] = $pids;
}
echo json_encode(array('threads' => $out)), "\n";
