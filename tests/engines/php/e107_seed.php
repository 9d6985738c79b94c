<?php
/**
 * Seeds an installed e107 v2 through its own PHP API (forumcrawl tests, tests/engines/php/e107.py).
 *
 * Usage: php e107_seed.php SITE_DIR < spec.json
 * spec: {"posts_per_page": 5, "threads_per_page": 5, "users": [names], "threads": [{"title", "posts": [{"author", "text", "time"}]}]}
 *
 * Boots class2.php as the engine's own command-line entry (cron.php) does, installs the forum plugin
 * through e107plugin::install (what Admin > Plugins > Install runs), sets the forum plugin's
 * preferences, adds members as the signup handler stores them (UserHandler::HashPassword), one forum
 * parent and one forum as the forum admin stores them, then every topic through e107forum::threadAdd
 * and every reply through e107forum::postAdd (what forum_post.php calls), at the corpus times.
 * Prints {"e107_forum": id, "admin": name} when done (the truth is read from the tables by e107.py).
 */
$site = rtrim($argv[1], '/');
chdir($site);
$_E107['cli'] = true;
$_E107['debug'] = false;
$_E107['no_online'] = true;
$_E107['no_forceuserupdate'] = true;
$_E107['no_menus'] = true;
$_E107['allow_guest'] = true;
$_E107['no_maintenance'] = true;
require_once($site . '/class2.php');

$spec = json_decode(stream_get_contents(STDIN), true);
$sql = e107::getDb();

// The forum plugin, as the plugin manager installs it.
e107::getPlugin()->install('forum');
e107::getPlug()->clearCache()->buildAddonPrefLists();
if(!e107::isInstalled('forum'))
{
	fwrite(STDERR, "forum plugin not installed\n");
	exit(1);
}
require_once(e_PLUGIN . 'forum/forum_class.php');
$forumPrefs = e107::getPlugConfig('forum');
$forumPrefs->set('postspage', (int) $spec['posts_per_page']);
$forumPrefs->set('threadspage', (int) $spec['threads_per_page']);
$forumPrefs->save(false, true, false);

// Members (the installer made the admin, user id 1).
$userHandler = e107::getUserSession();
$ids = array();
$now = time();
foreach($spec['users'] as $n => $name)
{
	$row = $sql->retrieve('user', 'user_id', "user_loginname = '" . $sql->escape($name) . "'");
	if($row)
	{
		$ids[$name] = (int) $row;
		continue;
	}
	$login = 'member' . $n;
	$ids[$name] = (int) $sql->insert('user', array(
		'user_name' => $name, 'user_loginname' => $login, 'user_customtitle' => '',
		'user_password' => $userHandler->HashPassword('fc-seed-pw-' . $n, $login),
		'user_email' => "user{$n}@example.org", 'user_hideemail' => 1, 'user_join' => $now - 86400 * 400,
		'user_lastvisit' => $now, 'user_currentvisit' => $now, 'user_ban' => 0, 'user_class' => '',
		'user_admin' => 0, 'user_perms' => '', 'user_realm' => '', 'user_signature' => '', 'user_image' => '',
		'user_sess' => '', 'user_xup' => '', 'user_ip' => '127.0.0.1', 'user_prefs' => '', 'user_login' => '',
		'user_pwchange' => $now));
	$sql->insert('user_extended', array('user_extended_id' => $ids[$name]));
}
$adminName = $sql->retrieve('user', 'user_name', 'user_id = 1');

// One forum parent and one forum in it (forum_admin.php's "Create Parents" / "Create Forums").
$parent = (int) $sql->insert('forum', array(
	'forum_name' => '综合讨论区', 'forum_description' => '', 'forum_parent' => 0, 'forum_sub' => 0,
	'forum_moderators' => e_UC_ADMIN, 'forum_class' => e_UC_PUBLIC, 'forum_postclass' => e_UC_MEMBER,
	'forum_threadclass' => e_UC_MEMBER, 'forum_order' => 1, 'forum_sef' => 'general-discussion',
	'forum_datestamp' => $now));
$forumId = (int) $sql->insert('forum', array(
	'forum_name' => '测试版块', 'forum_description' => 'forumcrawl test forum', 'forum_parent' => $parent,
	'forum_sub' => 0, 'forum_moderators' => e_UC_ADMIN, 'forum_class' => e_UC_PUBLIC,
	'forum_postclass' => e_UC_MEMBER, 'forum_threadclass' => e_UC_MEMBER, 'forum_order' => 1,
	'forum_sef' => 'test-forum', 'forum_datestamp' => $now));

$forum = new e107forum();
foreach($spec['threads'] as $thread)
{
	$first = $thread['posts'][0];
	$uid = $first['author'] === 'admin' ? 1 : $ids[$first['author']];
	$result = $forum->threadAdd(
		array('thread_name' => e107::getParser()->toDB($thread['title']), 'thread_forum_id' => $forumId,
			'thread_active' => 1, 'thread_sticky' => 0, 'thread_datestamp' => (int) $first['time'],
			'thread_lastpost' => (int) $first['time'], 'thread_user' => $uid, 'thread_lastuser' => $uid,
			'thread_lastuser_anon' => '', 'thread_options' => ''),
		array('post_entry' => $first['text'], 'post_forum' => $forumId, 'post_datestamp' => (int) $first['time'],
			'post_user' => $uid, 'post_ip' => '127.0.0.1'));
	if(!$result || $result['postid'] < 1)
	{
		fwrite(STDERR, "threadAdd failed for {$thread['title']}\n");
		exit(1);
	}
	foreach(array_slice($thread['posts'], 1) as $post)
	{
		$uid = $post['author'] === 'admin' ? 1 : $ids[$post['author']];
		$postId = $forum->postAdd(array('post_entry' => $post['text'], 'post_forum' => $forumId,
			'post_thread' => $result['threadid'], 'post_datestamp' => (int) $post['time'], 'post_user' => $uid,
			'post_ip' => '127.0.0.1'));
		if($postId < 1)
		{
			fwrite(STDERR, "postAdd failed in {$thread['title']}\n");
			exit(1);
		}
	}
}
$forum->forumUpdateCounts($forumId, true);
e107::getCache()->clearAll('content');
e107::getCache()->clearAll('system');

echo json_encode(array('e107_forum' => $forumId, 'admin' => $adminName), JSON_UNESCAPED_UNICODE) . "\n";
