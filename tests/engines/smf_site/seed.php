<?php
/**
 * Seed an installed SMF 2.1 forum through SMF's own code (SSI.php, Subs-Members.php
 * registerMember, Subs-Boards.php createBoard, Subs-Post.php createPost), then print
 * the ground truth read back from SMF's own tables as one JSON line.
 *
 * Usage: php seed.php FORUM_DIR PLAN.json
 * PLAN: {"settings": {...}, "users": [...], "boards": [{"key","name","description"}],
 *        "threads": [{"board","title","posts": [{"author","body","time","quote_of"}]}]}
 */
if (PHP_SAPI !== 'cli')
	exit("cli only\n");

$forum = $argv[1];
$plan = json_decode(file_get_contents($argv[2]), true);
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
chdir($forum);
require_once($forum . '/SSI.php');
require_once($sourcedir . '/Subs-Members.php');
require_once($sourcedir . '/Subs-Boards.php');
require_once($sourcedir . '/Subs-Post.php');
require_once($sourcedir . '/Subs-Categories.php');

global $smcFunc, $modSettings, $user_info;
updateSettings($plan['settings']);
// Act as the admin (member 1, made by the installer), as the admin screens would.
$user_info = array_merge($user_info, array('id' => 1, 'is_guest' => false, 'is_admin' => true, 'groups' => array(1), 'username' => 'admin', 'name' => 'admin',
	'query_see_board' => '1=1', 'query_wanna_see_board' => '1=1', 'permissions' => array()));

$members = array();
foreach ($plan['users'] as $name)
{
	$regOptions = array(
		'interface' => 'admin', 'username' => $name, 'email' => $name . '@example.com',
		'password' => 'Password-' . $name . '-1', 'password_check' => 'Password-' . $name . '-1',
		'check_reserved_name' => false, 'check_password_strength' => false, 'check_email_ban' => false,
		'send_welcome_email' => false, 'require' => 'nothing', 'memberGroup' => 0,
	);
	$id = registerMember($regOptions, true);
	if (!is_int($id) && !ctype_digit((string) $id))
		throw new Exception('registerMember failed for ' . $name . ': ' . print_r($id, true));
	$members[$name] = (int) $id;
}

$request = $smcFunc['db_query']('', 'SELECT MIN(id_cat) FROM {db_prefix}categories', array());
list ($category) = $smcFunc['db_fetch_row']($request);
$board_ids = array();
foreach ($plan['boards'] as $b)
{
	$boardOptions = array(
		'board_name' => $b['name'], 'board_description' => $b['description'], 'target_category' => (int) $category,
		'move_to' => 'bottom', 'access_groups' => array(-1, 0), 'deny_groups' => array(),
	);
	$board_ids[$b['key']] = createBoard($boardOptions);
}

foreach ($plan['threads'] as $t)
{
	$topic = 0;
	$msg_ids = array();
	foreach ($t['posts'] as $n => $p)
	{
		$body = $smcFunc['htmlspecialchars']($p['body'], ENT_QUOTES);
		if (isset($p['quote_of']))
		{
			$q = $t['posts'][$p['quote_of']];
			$body = '[quote author=' . $q['author'] . ' link=msg=' . $msg_ids[$p['quote_of']] . ' date=' . $q['time'] . ']'
				. $smcFunc['htmlspecialchars']($q['body'], ENT_QUOTES) . "[/quote]\n" . $body;
		}
		preparsecode($body);
		$msgOptions = array('subject' => ($n == 0 ? '' : 'Re: ') . $t['title'], 'body' => $body, 'icon' => 'xx',
			'smileys_enabled' => true, 'approved' => true, 'poster_time' => (int) $p['time']);
		$topicOptions = array('id' => $topic, 'board' => $board_ids[$t['board']], 'mark_as_read' => false);
		$posterOptions = array('id' => $members[$p['author']], 'name' => $p['author'],
			'email' => $p['author'] . '@example.com', 'update_post_count' => true, 'ip' => '127.0.0.1');
		if (!createPost($msgOptions, $topicOptions, $posterOptions))
			throw new Exception('createPost failed');
		$topic = $topicOptions['id'];
		$msg_ids[$n] = $msgOptions['id'];
	}
}

// The truth: SMF's own messages table, every topic (the installer's welcome topic too),
// each in the order SMF shows it (by id_msg).
$request = $smcFunc['db_query']('', '
	SELECT m.id_topic, m.id_msg, m.poster_name, m.poster_time, m.body, b.name AS board
	FROM {db_prefix}messages AS m INNER JOIN {db_prefix}boards AS b ON (b.id_board = m.id_board)
	ORDER BY m.id_topic, m.id_msg', array());
$truth = array();
while ($row = $smcFunc['db_fetch_assoc']($request))
{
	$text = preg_replace('~\[quote[^\]]*\].*?\[/quote\]~s', '', $row['body']);
	$text = html_entity_decode(str_replace('<br>', "\n", $text), ENT_QUOTES, 'UTF-8');
	if (!isset($truth[$row['id_topic']]))
		$truth[$row['id_topic']] = array('topic' => (int) $row['id_topic'], 'board' => $row['board'], 'posts' => array());
	$truth[$row['id_topic']]['posts'][] = array('post_id' => (string) $row['id_msg'], 'author' => $row['poster_name'],
		'time' => (int) $row['poster_time'], 'text' => trim($text));
}
$truth = array_values($truth);
echo json_encode(array('threads' => $truth)), "\n";
